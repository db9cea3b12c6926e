namespace MLToolkit.Datasets.ImageFolders;

/// <summary>Where <see cref="ImageFolder"/> found the train, validation and test images.</summary>
public enum ImageFolderLayout
{
    /// <summary>One subfolder per class under the root, split per class by the options' fractions.</summary>
    ClassFolders,

    /// <summary><c>train/</c>, optional <c>val/</c> (or <c>validation/</c>) and <c>test/</c> under the root, each holding class subfolders, used as given.</summary>
    SplitFolders,

    /// <summary>The folders named by <see cref="ImageFolderOptions.TrainFolder"/>, <see cref="ImageFolderOptions.ValidationFolder"/> and <see cref="ImageFolderOptions.TestFolder"/>, used as given.</summary>
    ExplicitFolders,
}
