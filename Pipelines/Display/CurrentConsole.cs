using Spectre.Console;

namespace MLToolkit.Pipelines.Display;

/// <summary>Where tables go: the current <see cref="Console.Out"/>, at full width when it is redirected.</summary>
static class CurrentConsole
{
    /// <summary>
    /// A Spectre console bound to the current <see cref="Console.Out"/>, so redirected output (files,
    /// tests) gets the tables too. Redirected, Spectre would assume 80 columns and wrap the cells; a
    /// file gets full lines instead.
    /// </summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 4096; // a maximum: tables stay as wide as their content
        return console;
    }
}
