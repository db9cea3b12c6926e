using System.CommandLine;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.ImageFolders;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Pipelines.Display;
using Spectre.Console;

namespace MLToolkit.Pipelines;

/// <summary>
/// <c>predict &lt;model.zip&gt; &lt;file or folder…&gt;</c>: the class and its probability for each image file, with a
/// model trained on image files (the <c>images</c> experiment, or any model whose first stage loads <c>ImagePath</c>).
/// </summary>
public static class PredictCommand
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>Builds the command; <paramref name="guarded"/> runs its action and turns an error into one line and exit code 1.</summary>
    public static Command Create(Func<Func<int>, ParseResult, int> guarded)
    {
        var model = new Argument<string>("model") { Description = "A model.zip trained on image files (e.g. by the images experiment)" };
        var inputs = new Argument<string[]>("images") { Description = "Image files, or folders whose images (in subfolders too) are scored", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print JSON (file, label, probability, probabilities per class) instead of a table" };
        var command = new Command("predict", "Predict the class of image files with a saved model") { model, inputs, json };
        command.SetAction(parse => guarded(() => Run(parse.GetValue(model)!, parse.GetValue(inputs)!, parse.GetValue(json)), parse));
        return command;
    }

    static int Run(string modelPath, string[] inputs, bool json)
    {
        var ml = new MLContext();
        var files = inputs.SelectMany(Files).ToList();
        var transformer = ml.LoadModel(modelPath, out var inputSchema).ForPrediction();
        if (inputSchema.GetColumnOrNull("ImagePath") is null)
            throw new ArgumentException($"'{modelPath}' takes {string.Join(", ", inputSchema.Select(c => c.Name))}, not image files; " +
                                        "models trained on image folders (the images experiment) take image paths.");
        var classes = transformer.Flatten().OfType<CnnTransformer>().FirstOrDefault()?.LabelValues?.Values
            ?? throw new ArgumentException($"'{modelPath}' holds no CNN with named classes.");

        // Unreadable files are reported, not scored: ML.NET would fail the whole batch on one of them.
        var readable = new List<string>();
        var problems = new List<(string File, string Problem)>();
        foreach (var file in files)
        {
            if (ImageCheck.Problem(file) is { } problem) problems.Add((file, problem));
            else readable.Add(file);
        }
        var results = new List<(string File, string Label, float[] Probabilities)>();
        if (readable.Count > 0)
        {
            var rows = ml.Data.LoadFromEnumerable(readable.Select(f => new ImageRow { ImagePath = Path.GetFullPath(f) }));
            var scored = transformer.Transform(rows);
            var labels = scored.GetColumn<string>("PredictedLabel").ToArray();
            var scores = scored.GetColumn<float[]>("Score").ToArray();
            for (int i = 0; i < readable.Count; i++) results.Add((readable[i], labels[i], scores[i]));
        }

        if (json)
        {
            var output = new
            {
                predictions = results.Select(r => new
                {
                    file = r.File, label = r.Label, probability = r.Probabilities.Max(),
                    probabilities = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => r.Probabilities[x.i]),
                }),
                errors = problems.Select(p => new { file = p.File, error = p.Problem }),
            };
            Console.WriteLine(JsonSerializer.Serialize(output, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            var table = new Table().AddColumns("file", "class", "probability");
            foreach (var (file, label, probabilities) in results) table.AddRow(Markup.Escape(file), Markup.Escape(label), $"{probabilities.Max() * 100:F1}%");
            foreach (var (file, problem) in problems) table.AddRow(Markup.Escape(file), "[red]not scored[/]", Markup.Escape(problem));
            CurrentConsole.Create().Write(table);
            Console.WriteLine($"{results.Count} image(s) scored" + (problems.Count > 0 ? $", {problems.Count} not readable" : ""));
        }
        return problems.Count > 0 ? 2 : 0;
    }

    /// <summary>The image files named by one argument: the file itself, or the images under a folder (hidden files skipped).</summary>
    static IEnumerable<string> Files(string input)
    {
        if (File.Exists(input)) return [input];
        if (!Directory.Exists(input)) throw new FileNotFoundException($"'{input}' is neither an image file nor a folder.", input);
        var files = Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Where(f => !Path.GetRelativePath(input, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"Folder '{input}' holds no PNG, JPEG or BMP images.", input);
    }

    sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }
}
