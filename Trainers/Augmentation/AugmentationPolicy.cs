using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// An ordered list of augmentation steps. It travels from <c>ml.Transforms.Augment</c> to the CNN
/// trainer as an annotation of the image column, so it changes no rows and costs nothing at
/// prediction time.
/// </summary>
public sealed class AugmentationPolicy
{
    /// <summary>The annotation kind under which the policy is recorded on the image column.</summary>
    public const string AnnotationKind = "MLToolkit.Augmentation";

    static readonly JsonSerializerOptions Json = new();

    /// <summary>Creates a policy of <paramref name="steps"/>, applied in order.</summary>
    /// <exception cref="ArgumentException">No step, or a null step.</exception>
    public AugmentationPolicy(IReadOnlyList<IAugmentation> steps)
    {
        if (steps is null || steps.Count == 0) throw new ArgumentException("An augmentation policy needs at least one step.", nameof(steps));
        if (steps.Any(s => s is null)) throw new ArgumentException("Augmentation steps must not be null.", nameof(steps));
        Steps = steps;
    }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<IAugmentation> Steps { get; }

    /// <summary>Applies every step to a training batch.</summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        foreach (var step in Steps) images = step.Apply(images, generator);
        return images;
    }

    /// <summary>The policy as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(Steps.ToArray(), Json);

    /// <summary>Reads a policy written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a policy.</exception>
    public static AugmentationPolicy FromJson(string json)
    {
        try
        {
            var steps = JsonSerializer.Deserialize<IAugmentation[]>(json, Json);
            return new AugmentationPolicy(steps ?? []);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"Not an augmentation policy: {e.Message}", e);
        }
    }

    /// <summary>The policy recorded on <paramref name="column"/> by <c>ml.Transforms.Augment</c>, if any.</summary>
    public static AugmentationPolicy? FromColumn(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(AnnotationKind) is null) return null;
        ReadOnlyMemory<char> json = default;
        column.Annotations.GetValue(AnnotationKind, ref json);
        return FromJson(json.ToString());
    }
}
