using System.Runtime.InteropServices;
using Onnx;

namespace MLToolkit.Trainers.Onnx;

/// <summary>
/// The parts of an ONNX model file the toolkit reads: its weights (initializers) and its nodes. Only
/// what importing a CNN's weights needs; parsing uses the official ONNX protobuf types (OnnxSharp).
/// </summary>
internal sealed class OnnxGraph
{
    readonly Dictionary<string, TensorProto> _initializers;
    readonly Dictionary<string, NodeProto> _producers = new();
    readonly Dictionary<string, List<NodeProto>> _consumers = new();

    OnnxGraph(ModelProto model, string source)
    {
        Source = source;
        Graph = model.Graph ?? throw new InvalidDataException($"{source} holds no ONNX graph.");
        _initializers = Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var node in Graph.Node)
        {
            foreach (var output in node.Output) _producers[output] = node;
            foreach (var input in node.Input)
            {
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = [];
                list.Add(node);
            }
        }
    }

    /// <summary>Where the graph was read from, for messages.</summary>
    public string Source { get; }

    /// <summary>The graph.</summary>
    public GraphProto Graph { get; }

    /// <summary>Reads an ONNX model file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static OnnxGraph Read(string path) => new(ReadModel(path), $"'{path}'");

    /// <summary>Reads an ONNX model file's protobuf message.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static ModelProto ReadModel(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX file '{path}' does not exist.", path);
        try
        {
            using var stream = File.OpenRead(path);
            return ModelProto.Parser.ParseFrom(stream);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable ONNX model: {e.Message}", e);
        }
    }

    /// <summary>The nodes in the file's (topological) order.</summary>
    public IEnumerable<NodeProto> Nodes => Graph.Node;

    /// <summary>
    /// The nodes the graph's outputs depend on, in file order. Exporters leave unused nodes in files
    /// (the package's ResNet-18 keeps CNTK's classifier after the pooled-features output).
    /// </summary>
    public IEnumerable<NodeProto> LiveNodes
    {
        get
        {
            var live = new HashSet<NodeProto>();
            var pending = new Stack<string>(Graph.Output.Select(o => o.Name));
            while (pending.TryPop(out var value))
                if (_producers.TryGetValue(value, out var node) && live.Add(node))
                    foreach (var input in node.Input) pending.Push(input);
            return Graph.Node.Where(live.Contains);
        }
    }

    /// <summary>The nodes that read <paramref name="value"/>.</summary>
    public IReadOnlyList<NodeProto> ConsumersOf(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>Whether <paramref name="name"/> is a weight stored in the file.</summary>
    public bool IsInitializer(string name) => _initializers.ContainsKey(name);

    /// <summary>The weight <paramref name="name"/> as floats with its shape.</summary>
    /// <exception cref="InvalidDataException">No such weight, or it is not 32-bit float.</exception>
    public (float[] Values, long[] Shape) Initializer(string name)
    {
        if (!_initializers.TryGetValue(name, out var tensor))
            throw new InvalidDataException($"{Source} has no initializer '{name}'.");
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"{Source}: initializer '{name}' has data type {tensor.DataType}; only 32-bit floats are read.");
        float[] values = tensor.FloatData.Count > 0
            ? tensor.FloatData.ToArray()
            : MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray(); // raw data is little-endian, as is x64
        long expected = tensor.Dims.Aggregate(1L, (a, d) => a * d);
        if (values.Length != expected)
            throw new InvalidDataException($"{Source}: initializer '{name}' has {values.Length} values for shape [{string.Join(", ", tensor.Dims)}].");
        return (values, tensor.Dims.ToArray());
    }

    /// <summary>An integer-list attribute of <paramref name="node"/>, or null.</summary>
    public static long[]? Ints(NodeProto node, string attribute) =>
        node.Attribute.FirstOrDefault(a => a.Name == attribute) is { } a ? a.Ints.ToArray() : null;
}
