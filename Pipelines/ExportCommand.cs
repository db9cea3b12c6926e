using System.CommandLine;
using Microsoft.ML;

namespace MLToolkit.Pipelines;

/// <summary>
/// <c>export &lt;model.zip&gt; --onnx &lt;file&gt;</c>: writes the model's networks as one ONNX graph (see
/// <see cref="OnnxExport"/>) to serve with ONNX Runtime or ML.NET's <c>ApplyOnnxModel</c> without libtorch.
/// </summary>
public static class ExportCommand
{
    /// <summary>Builds the command; <paramref name="guarded"/> runs its action and turns an error into one line and exit code 1.</summary>
    public static Command Create(Func<Func<int>, ParseResult, int> guarded)
    {
        var model = new Argument<string>("model") { Description = "A model.zip saved by an experiment or by ml.Model.Save" };
        var onnx = new Option<string>("--onnx") { Description = "The ONNX file to write", Required = true };
        var command = new Command("export", "Export a saved model as ONNX, to serve it with ONNX Runtime alone (no libtorch)") { model, onnx };
        command.SetAction(parse => guarded(() => Run(parse.GetValue(model)!, parse.GetValue(onnx)!), parse));
        return command;
    }

    static int Run(string modelPath, string onnxPath)
    {
        if (Directory.Exists(onnxPath)) throw new ArgumentException($"--onnx '{onnxPath}' is a folder; give the path of the file to write, e.g. {Path.Combine(onnxPath, "model.onnx")}.");
        if (Path.GetFullPath(onnxPath) == Path.GetFullPath(modelPath)) throw new ArgumentException("--onnx names the model file itself; choose another file.");
        var ml = new MLContext();
        var model = ml.LoadModel(modelPath, out _);
        model.ExportOnnx(onnxPath);
        var metadata = OnnxExport.ReadMetadata(onnxPath);
        Console.WriteLine($"Wrote {onnxPath} ({new FileInfo(onnxPath).Length / 1024.0:F0} KB, ONNX opset {OnnxExport.OpsetVersion}).");
        Console.WriteLine($"  input '{OnnxExport.InputName}': float [batch × {metadata.InputShape}], pixels in [0, 1], RGB channel order");
        Console.WriteLine(metadata.Task == "segmentation"
            ? $"  outputs '{OnnxExport.ProbabilitiesName}': float [batch × {metadata.Labels.Count} × H × W]; '{OnnxExport.MaskName}': int64 [batch × H × W]"
            : $"  output '{OnnxExport.ProbabilitiesName}': float [batch × {metadata.Labels.Count}]");
        Console.WriteLine($"  labels: {string.Join(", ", metadata.Labels)}");
        return 0;
    }
}
