using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLToolkit.Trainers.Persistence;


/// <summary>All reflection on ML.NET internals lives here, resolved once and checked eagerly.</summary>
internal static class MlNetInternals
{
    private const BindingFlags Inst = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly Assembly s_core = typeof(ModelSaveContext).Assembly;

    private static Type CoreType(string name) =>
        s_core.GetType(name, throwOnError: false)
        ?? throw Missing(name);

    private static MissingMemberException Missing(string what) => new MissingMemberException(
        $"ML.NET internal '{what}' not found in {s_core.GetName().Name} {s_core.GetName().Version}; " +
        "MLToolkit.Trainers.Persistence was written against Microsoft.ML 5.0.1.");

    private static MethodInfo Method(Type t, string name, params Type[] args) =>
        t.GetMethod(name, Inst, binder: null, args, modifiers: null) ?? throw Missing($"{t.Name}.{name}");

    private static FieldInfo Field(Type t, string name) =>
        t.GetField(name, Inst) ?? throw Missing($"{t.Name}.{name}");

    // ----- save side (ModelSaveContext is public, its members internal)
    private static readonly Type s_versionInfo = CoreType("Microsoft.ML.VersionInfo");
    private static readonly ConstructorInfo s_versionInfoCtor =
        s_versionInfo.GetConstructor(new[] { typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string) })
        ?? throw Missing("VersionInfo..ctor");
    private static readonly MethodInfo s_saveCheckAtModel = Method(typeof(ModelSaveContext), "CheckAtModel");
    private static readonly MethodInfo s_setVersionInfo = Method(typeof(ModelSaveContext), "SetVersionInfo", s_versionInfo);
    private static readonly MethodInfo s_saveBinaryStream = Method(typeof(ModelSaveContext), "SaveBinaryStream", typeof(string), typeof(Action<BinaryWriter>));
    private static readonly FieldInfo s_saveWriter = Field(typeof(ModelSaveContext), "Writer");
    private static readonly MethodInfo s_saveString = Method(typeof(ModelSaveContext), "SaveString", typeof(string));

    // ----- load side (ModelLoadContext itself is internal)
    private static readonly Type s_loadCtx = CoreType("Microsoft.ML.ModelLoadContext");
    private static readonly Type s_signatureLoadModel = CoreType("Microsoft.ML.SignatureLoadModel");
    private static readonly Type s_loadableClassAttr = CoreType("Microsoft.ML.LoadableClassAttribute");
    private static readonly FieldInfo s_loadReader = Field(s_loadCtx, "Reader");
    private static readonly FieldInfo s_loadHeader = Field(s_loadCtx, "Header");
    private static readonly MethodInfo s_loadCheckAtModel = Method(s_loadCtx, "CheckAtModel");
    private static readonly MethodInfo s_loadString = Method(s_loadCtx, "LoadString");
    private static readonly MethodInfo s_tryLoadBinaryStream = Method(s_loadCtx, "TryLoadBinaryStream", typeof(string), typeof(Action<BinaryReader>));
    private static readonly Type s_header = CoreType("Microsoft.ML.ModelHeader");
    private static readonly FieldInfo s_hdrModelSig = Field(s_header, "ModelSignature");
    private static readonly FieldInfo s_hdrVerWritten = Field(s_header, "ModelVerWritten");
    private static readonly FieldInfo s_hdrVerReadable = Field(s_header, "ModelVerReadable");
    // (instType, loaderType, argType, sigType, userName, params loadNames)
    private static readonly ConstructorInfo s_loadableCtor =
        s_loadableClassAttr.GetConstructor(new[] { typeof(Type), typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[]) })
        ?? throw Missing("LoadableClassAttribute..ctor(Type,Type,Type,Type,string,string[])");

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

    public static void CheckAtModel(ModelSaveContext ctx) => Call(s_saveCheckAtModel, ctx);

    public static void SetVersionInfo(ModelSaveContext ctx, PersistenceFormat f)
    {
        // loaderAssemblyName = null on purpose: ML.NET would Assembly.Load it at load time, which ties
        // the file to an exact assembly name/version and buys nothing here (registration is explicit).
        object ver;
        try
        {
            ver = s_versionInfoCtor.Invoke(new object?[]
            {
                f.ModelSignature, f.Version, f.MinReadableVersion, f.MinReadableVersion, null, f.LoaderSignature, null,
            });
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw; // unreachable
        }
        Call(s_setVersionInfo, ctx, ver);
    }

    public static BinaryWriter GetSaveWriter(ModelSaveContext ctx) =>
        (BinaryWriter?)s_saveWriter.GetValue(ctx) ?? throw new InvalidOperationException("ModelSaveContext has no writer.");

    public static void SaveBinaryStream(ModelSaveContext ctx, string name, Action<BinaryWriter> write) =>
        Call(s_saveBinaryStream, ctx, name, write);

    public static void SaveString(ModelSaveContext ctx, string value) => Call(s_saveString, ctx, value);

    public static string LoadString(object ctx) => (string)Call(s_loadString, ctx)!;

    public static BinaryReader GetLoadReader(object ctx) =>
        (BinaryReader?)s_loadReader.GetValue(ctx) ?? throw new InvalidOperationException("ModelLoadContext has no reader.");

    public static void CheckAtModel(object ctx) => Call(s_loadCheckAtModel, ctx);

    public static bool TryLoadBinaryStream(object ctx, string name, Action<BinaryReader> read) =>
        (bool)Call(s_tryLoadBinaryStream, ctx, name, read)!;

    public static (ulong ModelSignature, uint Written, uint Readable) GetHeaderVersion(object ctx)
    {
        object header = s_loadHeader.GetValue(ctx)!; // boxed copy of the struct; read-only use
        return ((ulong)s_hdrModelSig.GetValue(header)!, (uint)s_hdrVerWritten.GetValue(header)!, (uint)s_hdrVerReadable.GetValue(header)!);
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
            typeof(ITransformer), new[] { typeof(IHostEnvironment), s_loadCtx });
        var il = create.GetILGenerator();
        il.Emit(OpCodes.Ldsfld, fTarget);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Callvirt, typeof(Func<IHostEnvironment, object, ITransformer>).GetMethod("Invoke")!);
        il.Emit(OpCodes.Ret);
        Type bridge = tb.CreateType()!;
        bridge.GetField("Target")!.SetValue(null, target);

        // userName "" = hidden component (not listed in any UI/help); argType null = no options object.
        ab.SetCustomAttribute(new CustomAttributeBuilder(s_loadableCtor, new object?[]
        {
            typeof(ITransformer), bridge, null, s_signatureLoadModel, "", new[] { loaderSignature },
        }));
        s_bridges[name.Name!] = ab;
        InstallResolver();
        return ab;
    }
}
