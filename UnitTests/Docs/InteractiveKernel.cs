using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLToolkit.UnitTests.Docs;

/// <summary>
/// The real .NET Interactive kernel (the <c>Microsoft.dotnet-interactive</c> tool of the repository's
/// tool manifest), driven over its standard-I/O protocol as a notebook front end drives it: one
/// <c>SubmitCode</c> command per cell, events back until the command succeeds or fails.
/// </summary>
public sealed class InteractiveKernel : IDisposable
{
    readonly Process _process;
    int _token;

    /// <summary>What one cell produced.</summary>
    /// <param name="Succeeded">The kernel reported CommandSucceeded.</param>
    /// <param name="Output">Standard output, standard error, displayed and returned values, in order.</param>
    /// <param name="Errors">The failure message and every error diagnostic.</param>
    public sealed record CellResult(bool Succeeded, string Output, IReadOnlyList<string> Errors);

    InteractiveKernel(Process process) => _process = process;

    /// <summary>Starts the kernel in <paramref name="workingDirectory"/> (where a notebook's relative paths resolve) with extra environment variables.</summary>
    public static InteractiveKernel Start(string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", ["tool", "run", "dotnet-interactive", "--", "stdio", "--default-kernel", "csharp"])
        {
            WorkingDirectory = workingDirectory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { }; // drained, so a chatty kernel never blocks on a full pipe
        process.BeginErrorReadLine();
        return new InteractiveKernel(process);
    }

    /// <summary>Submits one cell's code and waits for the kernel to finish it.</summary>
    public CellResult Submit(string code)
    {
        var token = $"cell-{++_token}";
        var envelope = new JsonObject
        {
            ["commandType"] = "SubmitCode",
            ["command"] = new JsonObject { ["code"] = code, ["targetKernelName"] = "csharp" },
            ["token"] = token,
        };
        _process.StandardInput.WriteLine(envelope.ToJsonString());
        _process.StandardInput.Flush();

        var output = new StringBuilder();
        var errors = new List<string>();
        while (_process.StandardOutput.ReadLine() is { } line)
        {
            if (!line.StartsWith('{')) continue; // the kernel's banner
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (!root.TryGetProperty("eventType", out var type)) continue;
            var body = root.GetProperty("event");
            switch (type.GetString())
            {
                case "StandardOutputValueProduced" or "StandardErrorValueProduced" or "DisplayedValueProduced" or "ReturnValueProduced":
                    foreach (var value in body.GetProperty("formattedValues").EnumerateArray())
                        if (value.GetProperty("mimeType").GetString() == "text/plain") output.Append(value.GetProperty("value").GetString());
                    break;
                case "ErrorProduced":
                    errors.Add(body.GetProperty("message").GetString() ?? "");
                    break;
                case "DiagnosticsProduced":
                    foreach (var diagnostic in body.GetProperty("diagnostics").EnumerateArray())
                        if (diagnostic.GetProperty("severity").GetString() == "error")
                            errors.Add($"{diagnostic.GetProperty("code").GetString()}: {diagnostic.GetProperty("message").GetString()}");
                    break;
                case "CommandSucceeded" or "CommandFailed" when IsFor(root, token):
                    bool succeeded = type.GetString() == "CommandSucceeded";
                    if (!succeeded) errors.Add(body.GetProperty("message").GetString() ?? "");
                    return new CellResult(succeeded, output.ToString(), errors);
            }
        }
        throw new InvalidOperationException($"The kernel exited (code {(_process.HasExited ? _process.ExitCode : -1)}) before finishing the cell.\n{output}");
    }

    static bool IsFor(JsonElement root, string token) =>
        root.TryGetProperty("command", out var command) && command.TryGetProperty("token", out var t) && t.GetString() == token;

    /// <summary>Stops the kernel.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
