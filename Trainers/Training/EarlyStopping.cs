using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// Early stopping with best-weight restore (Keras' EarlyStopping(restore_best_weights=True)):
/// remembers the weights of the epoch with the lowest monitored loss and says when
/// <see cref="Patience"/> epochs have passed without improvement.
/// </summary>
public sealed class EarlyStopping(int? patience)
{
    /// <summary>Epochs without improvement before training stops; null never stops.</summary>
    public int? Patience => patience;

    /// <summary>The lowest monitored loss so far.</summary>
    public double Best { get; private set; } = double.PositiveInfinity;

    /// <summary>Epochs since the best one.</summary>
    public int Wait { get; private set; }

    /// <summary>The best epoch's weights (TorchSharp format), once there is one.</summary>
    public byte[]? BestWeights { get; private set; }

    /// <summary>Records an epoch's loss; returns true when training should stop.</summary>
    public bool Observe(double monitoredLoss, nn.Module network)
    {
        if (monitoredLoss < Best)
        {
            (Best, Wait) = (monitoredLoss, 0);
            // The copy is only needed to restore the best epoch when stopping is on.
            if (patience is not null) BestWeights = Weights.ToBytes(network);
            return false;
        }
        Wait++;
        return patience is { } p && Wait >= p;
    }

    /// <summary>Puts the best epoch's weights back into <paramref name="network"/>.</summary>
    public void RestoreBest(nn.Module network)
    {
        if (BestWeights is not null) Weights.FromBytes(network, BestWeights);
    }

    /// <summary>Writes the state (for a checkpoint).</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(Best);
        writer.Write(Wait);
        writer.Write(BestWeights?.Length ?? -1);
        if (BestWeights is not null) writer.Write(BestWeights);
    }

    /// <summary>Reads a state written by <see cref="Write"/>.</summary>
    public void Read(BinaryReader reader)
    {
        Best = reader.ReadDouble();
        Wait = reader.ReadInt32();
        int length = reader.ReadInt32();
        BestWeights = length < 0 ? null : reader.ReadBytes(length);
    }
}

/// <summary>Network weights as bytes, in TorchSharp's format.</summary>
public static class Weights
{
    /// <summary>The weights (and batch-norm statistics) of <paramref name="network"/>.</summary>
    public static byte[] ToBytes(nn.Module network)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) network.save(writer);
        return stream.ToArray();
    }

    /// <summary>Loads weights written by <see cref="ToBytes"/> into <paramref name="network"/>.</summary>
    public static void FromBytes(nn.Module network, byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        network.load(reader);
    }
}
