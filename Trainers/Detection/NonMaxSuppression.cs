using MLToolkit.Datasets.Detection;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// Class-wise non-maximum suppression: within each class, detections are taken from the highest score down and
/// a detection is dropped when it overlaps an already kept one of its class by more than the IoU threshold.
/// Boxes of different classes never suppress each other (torchvision's <c>batched_nms</c>).
/// </summary>
public static class NonMaxSuppression
{
    /// <summary>The kept detections, highest score first, at most <paramref name="maxDetections"/>.</summary>
    /// <param name="detections">Candidates of one image.</param>
    /// <param name="iouThreshold">Overlap above which the lower-scored box of a class is dropped.</param>
    /// <param name="maxDetections">How many to keep at most over all classes.</param>
    public static IReadOnlyList<DetectedBox> Apply(IEnumerable<DetectedBox> detections, float iouThreshold = 0.5f, int maxDetections = 100)
    {
        var kept = new List<DetectedBox>();
        // Ties in score keep the input order, so the result does not depend on the sort's stability.
        foreach (var group in detections.Select((d, i) => (d, i)).GroupBy(x => x.d.Label))
        {
            var ordered = group.OrderByDescending(x => x.d.Score).ThenBy(x => x.i).Select(x => x.d).ToList();
            var survivors = new List<DetectedBox>();
            foreach (var candidate in ordered)
                if (survivors.All(s => s.Box.IoU(candidate.Box) <= iouThreshold)) survivors.Add(candidate);
            kept.AddRange(survivors);
        }
        return kept.OrderByDescending(d => d.Score).Take(maxDetections).ToArray();
    }
}
