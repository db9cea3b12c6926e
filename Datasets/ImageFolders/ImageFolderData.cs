using Microsoft.ML;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>
/// A folder of images split by class: each view has the toolkit's <c>Image</c> column (channels ×
/// height × width floats in [0, 1]) and a string <c>Label</c> column holding the class folder's name.
/// </summary>
/// <param name="Train">Training rows.</param>
/// <param name="Validation">Validation rows.</param>
/// <param name="Test">Test rows.</param>
/// <param name="ClassNames">Class names (the subfolder names, sorted).</param>
/// <param name="Skipped">Files that were not readable images, with the reason.</param>
public sealed record ImageFolderData(IDataView Train, IDataView Validation, IDataView Test,
    IReadOnlyList<string> ClassNames, IReadOnlyList<(string Path, string Reason)> Skipped);
