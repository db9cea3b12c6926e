// Torch's global seed and thread count are process-wide: tests that train must not run at once,
// or the same seed would not give the same weights.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
