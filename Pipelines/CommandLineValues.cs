using System.CommandLine;
using System.Globalization;

namespace MLToolkit.Pipelines;

/// <summary>
/// Options whose values are checked as they are parsed, so that a wrong value is reported in the
/// user's words (the option they typed and what it accepts), never as a .NET type name, and before
/// anything is created or trained.
/// </summary>
static class CommandLineValues
{
    /// <summary>An optional whole number of at least <paramref name="minimum"/>.</summary>
    public static Option<int?> WholeNumber(string name, string description, int minimum) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var token = LastToken(result.Tokens);
            if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                result.AddError($"{name} must be a whole number; '{token}' is not.");
                return null;
            }
            if (value < minimum)
            {
                result.AddError($"{name} must be ≥ {minimum}; it is {value}.");
                return null;
            }
            return value;
        },
    };

    /// <summary>An optional number greater than zero.</summary>
    public static Option<double?> PositiveNumber(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var token = LastToken(result.Tokens);
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                result.AddError($"{name} must be a number such as 0.001; '{token}' is not.");
                return null;
            }
            if (value <= 0)
            {
                result.AddError($"{name} must be > 0; it is {token}.");
                return null;
            }
            return value;
        },
    };

    /// <summary>The seed: any whole number, 1 when not given.</summary>
    public static Option<int> Seed(string name, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => 1,
        CustomParser = result =>
        {
            var token = LastToken(result.Tokens);
            if (int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
            result.AddError($"{name} must be a whole number; '{token}' is not.");
            return 1;
        },
    };

    /// <summary>Image channels: 1 (grey) or 3 (RGB), 3 when not given.</summary>
    public static Option<int> Channels(string name, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => 3,
        CustomParser = result =>
        {
            var token = LastToken(result.Tokens);
            if (token is "1" or "3") return int.Parse(token, CultureInfo.InvariantCulture);
            result.AddError($"{name} must be 1 (grey) or 3 (RGB); it is '{token}'.");
            return 3;
        },
    };

    /// <summary>Training arithmetic, <c>mixed</c> or <c>float32</c>; absent leaves the experiment's choice.</summary>
    public static Option<string?> Precision(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            var token = LastToken(result.Tokens);
            if (token is not ("mixed" or "float32")) result.AddError($"{name} must be 'mixed' or 'float32'; it is '{token}'.");
        });
        return option;
    }

    /// <summary>Whether a <see cref="Precision"/> value asks for mixed precision; null when it was not given.</summary>
    public static bool? IsMixed(string? precision) => precision is null ? null : precision == "mixed";

    /// <summary>A folder path; a path to a file is refused (whether a missing folder is an error is the experiment's call).</summary>
    public static Option<string?> Folder(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } path && File.Exists(path))
                result.AddError($"{name} must be a folder; '{path}' is a file.");
        });
        return option;
    }

    static string LastToken(IReadOnlyList<System.CommandLine.Parsing.Token> tokens) => tokens.Count > 0 ? tokens[^1].Value : "";
}
