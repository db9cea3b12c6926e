using System.Text.Json;
using ScottPlot;

namespace MLToolkit.Plots;

/// <summary>The PNG plots of one run: per-epoch curves of every model, and the test confusion matrix.</summary>
public static class RunPlots
{
    /// <summary>Writes the plots of <paramref name="metrics"/> (an experiment's metrics.json) into <paramref name="folder"/>; returns the files.</summary>
    public static IEnumerable<string> Write(JsonElement metrics, string folder)
    {
        var models = metrics.GetProperty("Epochs").EnumerateArray().Select(m => m.EnumerateArray().ToArray()).ToArray();
        yield return Curves(models, folder, "loss.png", "Loss", "cross-entropy", ("Loss", "train"), ("ValidationLoss", "validation"));
        yield return Curves(models, folder, "accuracy.png", "Accuracy", "accuracy (%)", ("Accuracy", "train"), ("ValidationAccuracy", "validation"));
        yield return Curves(models, folder, "learning-rate.png", "Learning rate (end of each epoch)", "learning rate", ("LearningRate", "rate"));
        var names = metrics.TryGetProperty("ClassNames", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(n => n.GetString() ?? "").ToArray()
            : null;
        // Detection runs have no confusion matrix (an image holds several objects, or none).
        if (metrics.GetProperty("ConfusionMatrix").GetArrayLength() > 0)
            yield return Confusion(metrics.GetProperty("ConfusionMatrix"), names, folder);
    }

    static string Curves(JsonElement[][] models, string folder, string file, string title, string axis, params (string Field, string Name)[] series)
    {
        var plot = new Plot();
        for (int m = 0; m < models.Length; m++)
            foreach (var (field, name) in series)
            {
                var points = models[m].Where(e => e.GetProperty(field).ValueKind == JsonValueKind.Number).ToArray();
                if (points.Length == 0) continue;
                bool percent = field.EndsWith("Accuracy", StringComparison.Ordinal);
                var xs = points.Select(e => (double)e.GetProperty("Epoch").GetInt32()).ToArray();
                var ys = points.Select(e => e.GetProperty(field).GetDouble() * (percent ? 100 : 1)).ToArray();
                var line = plot.Add.Scatter(xs, ys);
                line.LegendText = models.Length > 1 ? $"{name}, model {m + 1}" : name;
            }
        int epochs = models.Select(m => m.Length).DefaultIfEmpty(1).Max();
        plot.Axes.Bottom.TickGenerator = IntegerTicks(Enumerable.Range(1, epochs).ToArray(), epochs > 12 ? epochs / 10 + 1 : 1);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(axis);
        plot.ShowLegend();
        var path = Path.Combine(folder, file);
        plot.SavePng(path, 800, 500);
        return path;
    }

    static ScottPlot.TickGenerators.NumericManual IntegerTicks(int[] values, int every) =>
        new(values.Where((_, i) => i % every == 0).Select(v => (double)v).ToArray(),
            values.Where((_, i) => i % every == 0).Select(v => v.ToString()).ToArray());

    static string Confusion(JsonElement matrix, string[]? names, string folder)
    {
        var keyed = matrix.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        int n = keyed.Length;
        if (names is null || names.Length != n) names = Enumerable.Range(0, n).Select(i => i.ToString()).ToArray();
        // Rows and columns come in key order (first appearance in the training data): sort them by class, numerically when the classes are numbers.
        var order = Enumerable.Range(0, n).OrderBy(i => double.TryParse(names[i], out var v) ? v : double.MaxValue)
            .ThenBy(i => names[i], StringComparer.Ordinal).ToArray();
        var rows = order.Select(r => order.Select(c => keyed[r][c]).ToArray()).ToArray();
        var labels = order.Select(i => names[i]).ToArray();
        var cells = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) cells[r, c] = rows[r][c];
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        // Counts on the cells; the heatmap draws row 0 at the top.
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                var text = plot.Add.Text(rows[r][c].ToString("0"), c, n - 1 - r);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = cells[r, c] > rows.Max(x => x.Max()) / 2 ? Colors.Black : Colors.White;
            }
        // The heatmap draws row r at height n − 1 − r: label the ticks with the class they show.
        var classes = Enumerable.Range(0, n).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(classes.Select(c => (double)c).ToArray(), labels);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(classes.Select(r => (double)(n - 1 - r)).ToArray(), labels);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Title("Confusion matrix (rows: true class, columns: predicted)");
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        var path = Path.Combine(folder, "confusion-matrix.png");
        plot.SavePng(path, 700, 600);
        return path;
    }
}
