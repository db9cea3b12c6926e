using Microsoft.ML;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>
/// A folder of images split into train, validation and test. From <see cref="ImageFolder.Load"/> each
/// view has the toolkit's <c>Image</c> column (channels × height × width floats in [0, 1]); from
/// <see cref="ImageFolder.LoadPaths"/> it has a string <c>ImagePath</c> column (the full path) instead.
/// Both have a string <c>Label</c> column holding the class folder's name.
/// </summary>
/// <param name="Train">Training rows.</param>
/// <param name="Validation">Validation rows (empty when the layout has no validation folder or the fraction is 0).</param>
/// <param name="Test">Test rows (empty when the layout has no test folder or the fraction is 0).</param>
/// <param name="ClassNames">Class names (the non-empty class subfolder names, sorted ordinally).</param>
/// <param name="Skipped">Files that were not readable images, with the reason.</param>
/// <param name="Layout">Which of the three folder layouts was read.</param>
/// <param name="TrainCount">Number of training rows.</param>
/// <param name="ValidationCount">Number of validation rows.</param>
/// <param name="TestCount">Number of test rows.</param>
/// <param name="Folders">Where each split came from, for logs (e.g. "train: /x/train, val: /x/val, test: none").</param>
public sealed record ImageFolderData(IDataView Train, IDataView Validation, IDataView Test,
    IReadOnlyList<string> ClassNames, IReadOnlyList<(string Path, string Reason)> Skipped,
    ImageFolderLayout Layout, int TrainCount, int ValidationCount, int TestCount, string Folders);
