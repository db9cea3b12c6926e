using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Onnx.Export;

/// <summary>
/// Collects the nodes and weights of one ONNX graph and writes it as a model file: fresh value names,
/// weights as initializers (raw little-endian floats), one float input and named outputs whose first
/// dimension is the dynamic batch. Uses the official ONNX protobuf types (OnnxSharp), as the weight import does.
/// </summary>
internal sealed class OnnxGraphWriter
{
    /// <summary>
    /// The operator set written: 17 is the set torch.onnx exports by default, every operator used here has
    /// its current meaning there (Softmax on one axis, Resize's pytorch_half_pixel, Slice with steps), and
    /// ONNX Runtime 1.31 as well as the runtime ML.NET 5.0.1's ApplyOnnxModel brings run it.
    /// </summary>
    public const int OpsetVersion = 17;

    /// <summary>IR version 8, the one that goes with opset 17.</summary>
    const long IrVersion = 8;

    /// <summary>Name of the batch dimension in the input and output shapes.</summary>
    public const string BatchDimension = "batch";

    readonly GraphProto _graph = new() { Name = "mltoolkit" };
    readonly Dictionary<string, int> _counts = new();

    /// <summary>A value name not used before, from <paramref name="hint"/>.</summary>
    public string Fresh(string hint)
    {
        _counts[hint] = _counts.GetValueOrDefault(hint) + 1;
        return _counts[hint] == 1 ? hint : $"{hint}_{_counts[hint]}";
    }

    /// <summary>Keeps <paramref name="name"/> for a graph input or output: <see cref="Fresh"/> will not hand it out.</summary>
    public void Reserve(string name) => _counts[name] = _counts.GetValueOrDefault(name) + 1;

    /// <summary>Adds the graph input <paramref name="name"/>: float, [batch, ..<paramref name="shape"/>].</summary>
    public void Input(string name, long[] shape)
    {
        Reserve(name);
        _graph.Input.Add(ValueInfo(name, TensorProto.Types.DataType.Float, shape));
    }

    /// <summary>Declares <paramref name="name"/> as a graph output of <paramref name="type"/>, [batch, ..<paramref name="shape"/>].</summary>
    public void Output(string name, TensorProto.Types.DataType type, long[] shape) => _graph.Output.Add(ValueInfo(name, type, shape));

    /// <summary>Stores a tensor's values (copied to the CPU as 32-bit floats) as a weight; returns its name.</summary>
    public string Weight(string hint, Tensor tensor)
    {
        using var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
        return Constant(hint, values.data<float>().ToArray(), values.shape);
    }

    /// <summary>Stores float values of <paramref name="shape"/> as a weight; returns its name.</summary>
    public string Constant(string hint, float[] values, long[] shape)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(shape);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length); // ONNX raw data is little-endian, as is every platform .NET runs ML on
        tensor.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Stores 64-bit integers (shapes, axes, pads) as a weight; returns its name.</summary>
    public string Int64s(string hint, params long[] values)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node of <paramref name="op"/> reading <paramref name="inputs"/>; returns the name of its one output.</summary>
    public string Node(string op, string[] inputs, params (string Name, object Value)[] attributes) =>
        Node(op, inputs, Fresh(op.ToLowerInvariant()), attributes);

    /// <summary>Adds a node of <paramref name="op"/> whose output is named <paramref name="output"/>.</summary>
    public string Node(string op, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh("node_" + op.ToLowerInvariant()) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (name, value) in attributes) node.Attribute.Add(Attribute(name, value));
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>Writes the model to <paramref name="path"/> through a temporary file, so a failed write leaves no half file.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var model = Model(metadata);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + ".tmp";
        try
        {
            using (var stream = File.Create(temporary)) model.WriteTo(stream);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The model file's bytes, for a session made in memory (no file, so no writable folder needed).</summary>
    public byte[] ToBytes(IReadOnlyDictionary<string, string> metadata) => Model(metadata).ToByteArray();

    ModelProto Model(IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "MLToolkit",
            ProducerVersion = typeof(OnnxGraphWriter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        foreach (long size in shape) tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = size });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }

    static AttributeProto Attribute(string name, object value)
    {
        var attribute = new AttributeProto { Name = name };
        switch (value)
        {
            case int i: attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = i; break;
            case long l: attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = l; break;
            case bool b: attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = b ? 1 : 0; break;
            case float f: attribute.Type = AttributeProto.Types.AttributeType.Float; attribute.F = f; break;
            case double d: attribute.Type = AttributeProto.Types.AttributeType.Float; attribute.F = (float)d; break;
            case string s: attribute.Type = AttributeProto.Types.AttributeType.String; attribute.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: attribute.Type = AttributeProto.Types.AttributeType.Ints; attribute.Ints.AddRange(ls); break;
            case int[] ints: attribute.Type = AttributeProto.Types.AttributeType.Ints; attribute.Ints.AddRange(ints.Select(v => (long)v)); break;
            case float[] fs: attribute.Type = AttributeProto.Types.AttributeType.Floats; attribute.Floats.AddRange(fs); break;
            default: throw new ArgumentException($"ONNX attribute '{name}' of unsupported type {value.GetType().Name}.");
        }
        return attribute;
    }
}
