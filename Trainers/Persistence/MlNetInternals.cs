using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLToolkit.Trainers.Persistence;


/// <summary>
/// All reflection on ML.NET internals lives here. The members are resolved together on first use (not
/// in a static initialiser, whose failure would surface as a doubly wrapped TypeInitializationException);
/// a missing one fails with one message naming the member, the ML.NET version found and the one supported.
/// </summary>
internal static class MlNetInternals
{
    /// <summary>The Microsoft.ML version these lookups were written against; the package pins it exactly.</summary>
    public const string SupportedVersion = "5.0.1";

    private const BindingFlags Inst = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly Assembly s_core = typeof(ModelSaveContext).Assembly;
    private static readonly Lazy<Members> s_members = new(() => new Members(s_core).ResolveAll());
    private static Members M => s_members.Value;

    /// <summary>The version of the Microsoft.ML assembly <paramref name="assembly"/> (its informational version without the commit hash).</summary>
    public static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The error for an ML.NET member that is not where <see cref="SupportedVersion"/> has it.</summary>
    public static MissingMemberException Missing(string what, Assembly core) => new(
        $"ML.NET internal '{what}' was not found in {core.GetName().Name} {VersionOf(core)}; MLToolkit supports " +
        $"Microsoft.ML {SupportedVersion} exactly. Reference Microsoft.ML {SupportedVersion} (another version is in use, " +
        "perhaps through another package that needs it).");

    /// <summary>Every ML.NET member the toolkit reaches by reflection, looked up once in <paramref name="core"/>.</summary>
    internal sealed class Members(Assembly core)
    {
        Type CoreType(string name) => core.GetType(name, throwOnError: false) ?? throw Missing(name, core);

        MethodInfo Method(Type t, string name, params Type[] args) =>
            t.GetMethod(name, Inst, binder: null, args, modifiers: null) ?? throw Missing($"{t.Name}.{name}", core);

        FieldInfo Field(Type t, string name) => t.GetField(name, Inst) ?? throw Missing($"{t.Name}.{name}", core);

        ConstructorInfo Constructor(Type t, params Type[] args) =>
            t.GetConstructor(args) ?? throw Missing($"{t.Name}..ctor({string.Join(", ", args.Select(a => a.Name))})", core);

        // ----- save side (ModelSaveContext is public, its members internal)
        public Type VersionInfo => field ??= CoreType("Microsoft.ML.VersionInfo");
        public ConstructorInfo VersionInfoCtor => field ??= Constructor(VersionInfo,
            typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string));
        public MethodInfo SaveCheckAtModel => field ??= Method(typeof(ModelSaveContext), "CheckAtModel");
        public MethodInfo SetVersionInfo => field ??= Method(typeof(ModelSaveContext), "SetVersionInfo", VersionInfo);
        public MethodInfo SaveBinaryStream => field ??= Method(typeof(ModelSaveContext), "SaveBinaryStream", typeof(string), typeof(Action<BinaryWriter>));
        public FieldInfo SaveWriter => field ??= Field(typeof(ModelSaveContext), "Writer");
        public MethodInfo SaveString => field ??= Method(typeof(ModelSaveContext), "SaveString", typeof(string));

        // ----- load side (ModelLoadContext itself is internal)
        public Type LoadContext => field ??= CoreType("Microsoft.ML.ModelLoadContext");
        public Type SignatureLoadModel => field ??= CoreType("Microsoft.ML.SignatureLoadModel");
        public FieldInfo LoadReader => field ??= Field(LoadContext, "Reader");
        public FieldInfo LoadHeader => field ??= Field(LoadContext, "Header");
        public MethodInfo LoadCheckAtModel => field ??= Method(LoadContext, "CheckAtModel");
        public MethodInfo LoadString => field ??= Method(LoadContext, "LoadString");
        public MethodInfo TryLoadBinaryStream => field ??= Method(LoadContext, "TryLoadBinaryStream", typeof(string), typeof(Action<BinaryReader>));
        public Type Header => field ??= CoreType("Microsoft.ML.ModelHeader");
        public FieldInfo HeaderModelSignature => field ??= Field(Header, "ModelSignature");
        public FieldInfo HeaderVersionWritten => field ??= Field(Header, "ModelVerWritten");
        public FieldInfo HeaderVersionReadable => field ??= Field(Header, "ModelVerReadable");
        // (instType, loaderType, argType, sigType, userName, params loadNames)
        public ConstructorInfo LoadableClassCtor => field ??= Constructor(CoreType("Microsoft.ML.LoadableClassAttribute"),
            typeof(Type), typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[]));

        /// <summary>Looks every member up now, so that a mismatched ML.NET fails at once with its name.</summary>
        public Members ResolveAll()
        {
            foreach (var property in typeof(Members).GetProperties())
            {
                try { property.GetValue(this); }
                catch (TargetInvocationException e) when (e.InnerException is MissingMemberException missing)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(missing).Throw();
                }
            }
            return this;
        }
    }

    /// <summary>
    /// The host environment of an ML.NET catalog (it carries the <c>MLContext</c>'s seed and log). Catalogs
    /// implement ML.NET's internal <c>IInternalCatalog</c> explicitly; its <c>Environment</c> is the host.
    /// </summary>
    public static IHostEnvironment EnvironmentOf(object catalog)
    {
        var contract = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog");
        if (contract?.GetProperty("Environment")?.GetValue(catalog) is IHostEnvironment env) return env;
        throw Missing($"IInternalCatalog.Environment of {catalog.GetType().Name}", s_core);
    }

    private static int s_bridgeCounter;
    private static readonly ConcurrentDictionary<string, Assembly> s_bridges = new(StringComparer.Ordinal);
    private static int s_resolverInstalled;

    // The LoadableClass attribute blob names the bridge type by assembly-qualified name; when ML.NET reads the
    // attribute, the runtime resolves that name with Assembly.Load, which never finds dynamic (emitted)
    // assemblies. This process-wide handler answers only for our own bridge assembly names.
    private static void InstallResolver()
    {
        if (Interlocked.Exchange(ref s_resolverInstalled, 1) == 0)
        {
            AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
                s_bridges.TryGetValue(new AssemblyName(args.Name).Name ?? "", out var asm) ? asm : null;
        }
    }

    // Reflection wraps exceptions thrown by the target; unwrap so callers see ML.NET's own exception.
    private static object? Call(MethodInfo m, object target, params object?[] args)
    {
        try { return m.Invoke(target, args); }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw; // unreachable
        }
    }

    public static void CheckAtModel(ModelSaveContext ctx) => Call(M.SaveCheckAtModel, ctx);

    public static void SetVersionInfo(ModelSaveContext ctx, PersistenceFormat f)
    {
        // loaderAssemblyName = null on purpose: ML.NET would Assembly.Load it at load time, which ties
        // the file to an exact assembly name/version and buys nothing here (registration is explicit).
        object ver;
        try
        {
            ver = M.VersionInfoCtor.Invoke(new object?[]
            {
                f.ModelSignature, f.Version, f.MinReadableVersion, f.MinReadableVersion, null, f.LoaderSignature, null,
            });
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw; // unreachable
        }
        Call(M.SetVersionInfo, ctx, ver);
    }

    public static BinaryWriter GetSaveWriter(ModelSaveContext ctx) =>
        (BinaryWriter?)M.SaveWriter.GetValue(ctx) ?? throw new InvalidOperationException("ModelSaveContext has no writer.");

    public static void SaveBinaryStream(ModelSaveContext ctx, string name, Action<BinaryWriter> write) =>
        Call(M.SaveBinaryStream, ctx, name, write);

    public static void SaveString(ModelSaveContext ctx, string value) => Call(M.SaveString, ctx, value);

    public static string LoadString(object ctx) => (string)Call(M.LoadString, ctx)!;

    public static BinaryReader GetLoadReader(object ctx) =>
        (BinaryReader?)M.LoadReader.GetValue(ctx) ?? throw new InvalidOperationException("ModelLoadContext has no reader.");

    public static void CheckAtModel(object ctx) => Call(M.LoadCheckAtModel, ctx);

    public static bool TryLoadBinaryStream(object ctx, string name, Action<BinaryReader> read) =>
        (bool)Call(M.TryLoadBinaryStream, ctx, name, read)!;

    public static (ulong ModelSignature, uint Written, uint Readable) GetHeaderVersion(object ctx)
    {
        object header = M.LoadHeader.GetValue(ctx)!; // boxed copy of the struct; read-only use
        return ((ulong)M.HeaderModelSignature.GetValue(header)!, (uint)M.HeaderVersionWritten.GetValue(header)!, (uint)M.HeaderVersionReadable.GetValue(header)!);
    }

    // Same packing as VersionInfo's constructor (little-endian, one byte per char, space -> 0).
    public static ulong PackModelSignature(string sig)
    {
        ulong v = 0;
        for (int i = 0; i < sig.Length; i++)
            if (sig[i] != ' ')
                v |= (ulong)sig[i] << (i * 8);
        return v;
    }

    /// <summary>
    /// Emits "MLToolkit.PersistenceBridge.N" with
    /// <c>public static class Bridge { public static Func&lt;IHostEnvironment, object, ITransformer&gt; Target;
    /// public static ITransformer Create(IHostEnvironment env, ModelLoadContext ctx) =&gt; Target(env, ctx); }</c>
    /// and <c>[assembly: LoadableClass(typeof(ITransformer), typeof(Bridge), null, typeof(SignatureLoadModel), "", sig)]</c>.
    /// </summary>
    public static Assembly EmitBridge(string loaderSignature, Func<IHostEnvironment, object, ITransformer> target)
    {
        int n = Interlocked.Increment(ref s_bridgeCounter);
        var name = new AssemblyName($"MLToolkit.PersistenceBridge.{n}");
        var ab = AssemblyBuilder.DefineDynamicAssembly(name, AssemblyBuilderAccess.Run);
        var mb = ab.DefineDynamicModule(name.Name!);

        // The runtime silently drops a custom attribute whose constructor is not accessible from the
        // decorated assembly (LoadableClassAttribute is internal), so Assembly.GetCustomAttributes - used by
        // RegisterAssembly - would return nothing. [IgnoresAccessChecksTo("Microsoft.ML.Core")], honoured
        // by CoreCLR when declared in the accessing assembly itself, makes it visible.
        var iact = mb.DefineType("System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute",
            TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(Attribute));
        var iactCtor = iact.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, new[] { typeof(string) });
        var cil = iactCtor.GetILGenerator();
        cil.Emit(OpCodes.Ldarg_0);
        cil.Emit(OpCodes.Call, typeof(Attribute).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, binder: null, Type.EmptyTypes, modifiers: null)!);
        cil.Emit(OpCodes.Ret);
        iact.SetCustomAttribute(new CustomAttributeBuilder(
            typeof(AttributeUsageAttribute).GetConstructor(new[] { typeof(AttributeTargets) })!, new object[] { AttributeTargets.Assembly },
            new[] { typeof(AttributeUsageAttribute).GetProperty(nameof(AttributeUsageAttribute.AllowMultiple))! }, new object[] { true }));
        Type iactType = iact.CreateType()!;
        ab.SetCustomAttribute(new CustomAttributeBuilder(iactType.GetConstructor(new[] { typeof(string) })!, new object[] { s_core.GetName().Name! }));

        var tb = mb.DefineType("Bridge", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class);
        var fTarget = tb.DefineField("Target", typeof(Func<IHostEnvironment, object, ITransformer>), FieldAttributes.Public | FieldAttributes.Static);

        // The catalog's FindCreateMethod wants: static method named Create, parameter types exactly
        // (IHostEnvironment, ModelLoadContext), declared on the loader type, return type == instType.
        // The runtime does not check accessibility of types used only in a signature, so the internal
        // ModelLoadContext is fine here; the IL itself touches only public members.
        var create = tb.DefineMethod("Create", MethodAttributes.Public | MethodAttributes.Static,
            typeof(ITransformer), new[] { typeof(IHostEnvironment), M.LoadContext });
        var il = create.GetILGenerator();
        il.Emit(OpCodes.Ldsfld, fTarget);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Callvirt, typeof(Func<IHostEnvironment, object, ITransformer>).GetMethod("Invoke")!);
        il.Emit(OpCodes.Ret);
        Type bridge = tb.CreateType()!;
        bridge.GetField("Target")!.SetValue(null, target);

        // userName "" = hidden component (not listed in any UI/help); argType null = no options object.
        ab.SetCustomAttribute(new CustomAttributeBuilder(M.LoadableClassCtor, new object?[]
        {
            typeof(ITransformer), bridge, null, M.SignatureLoadModel, "", new[] { loaderSignature },
        }));
        s_bridges[name.Name!] = ab;
        InstallResolver();
        return ab;
    }
}
