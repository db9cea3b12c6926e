using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MLToolkit.Trainers.LearningRates;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// The complete state of a training run after an epoch — weights, optimizer moments, position,
/// random-number streams, adaptive schedule and early-stopping state, history — written atomically
/// (a temporary file renamed over the old one) so that a run killed at any moment resumes from its
/// last finished epoch with the same command and continues exactly as it would have.
/// </summary>
internal sealed class Checkpoint
{
    // Version 2 ends with the SHA-256 of everything before it and a trailer, as model files are sealed.
    static readonly byte[] Magic = Encoding.ASCII.GetBytes("MLTKCKP2");
    static readonly byte[] Trailer = Encoding.ASCII.GetBytes("MLTKSHA2");
    const int HashLength = 32;

    Checkpoint(string path, string fingerprint) => (Path, Fingerprint) = (path, fingerprint);

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <summary>What the run was configured with; a checkpoint of another configuration is not resumed.</summary>
    public string Fingerprint { get; }

    /// <summary>The checkpoint of model <paramref name="member"/> in <paramref name="directory"/>.</summary>
    public static Checkpoint For(string directory, int member, string fingerprint)
    {
        Directory.CreateDirectory(directory);
        return new Checkpoint(System.IO.Path.Combine(directory, $"model-{member}.checkpoint"), fingerprint);
    }

    /// <summary>The parts of a run that a checkpoint holds.</summary>
    public sealed record State(nn.Module Network, OptimizerHelper Optimizer, Generator Shuffle, Generator Augment, Generator Layers,
        ILearningRateSchedule Schedule, EarlyStopping Stopping, List<EpochSummary> History);

    /// <summary>Writes the state after <paramref name="completedEpochs"/> epochs.</summary>
    public void Save(int completedEpochs, State state)
    {
        var temporary = Path + ".tmp";
        using (var file = File.Create(temporary))
        using (var writer = new BinaryWriter(file, Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(Fingerprint);
            writer.Write(completedEpochs);
            writer.Write(JsonSerializer.Serialize(state.History));
            // Written straight into the file: through memory streams a big network's weights and Adam
            // moments cost several times their size in short-lived arrays every epoch.
            WriteBlock(writer, w => state.Network.save(w));
            WriteBlock(writer, w => state.Optimizer.save_state_dict(w));
            WriteBlock(writer, RngBytes(state.Shuffle.get_state()));
            WriteBlock(writer, RngBytes(state.Augment.get_state()));
            WriteBlock(writer, RngBytes(state.Layers.get_state()));
            var schedule = (state.Schedule as IAdaptiveSchedule)?.GetState() ?? [];
            writer.Write(schedule.Length);
            foreach (var value in schedule) writer.Write(value);
            state.Stopping.Write(writer);
            file.Flush(flushToDisk: true);
        }
        // Sealed after writing (read back through the page cache), so the weights still stream to the file.
        byte[] hash;
        using (var written = File.OpenRead(temporary)) hash = SHA256.HashData(written);
        using (var append = new FileStream(temporary, FileMode.Append))
        {
            append.Write(hash);
            append.Write(Trailer);
            append.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>
    /// Restores the state from the file, if there is one; returns the number of completed epochs
    /// (0 when there is no checkpoint).
    /// </summary>
    /// <exception cref="InvalidOperationException">The checkpoint belongs to another configuration.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is damaged (its checksum does not match) or of an older format; it is left in place.</exception>
    public int TryRestore(State state)
    {
        if (!File.Exists(Path)) return 0;
        Verify();
        try
        {
            using var reader = new BinaryReader(File.OpenRead(Path), Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new InvalidDataException($"'{Path}' is not an MLToolkit checkpoint of this version; it is left in place: delete it to start over.");
            var fingerprint = reader.ReadString();
            if (fingerprint != Fingerprint)
                throw new InvalidOperationException(
                    $"The checkpoint '{Path}' was written by a differently configured run; it is left untouched. " +
                    "Use another checkpoint directory, or delete the file to start over.");
            int completed = reader.ReadInt32();
            state.History.Clear();
            state.History.AddRange(JsonSerializer.Deserialize<List<EpochSummary>>(reader.ReadString()) ?? []);
            Weights.FromBytes(state.Network, ReadBlock(reader));
            using (var optimizer = new BinaryReader(new MemoryStream(ReadBlock(reader)))) state.Optimizer.load_state_dict(optimizer);
            state.Shuffle.set_state(RngTensor(ReadBlock(reader)));
            state.Augment.set_state(RngTensor(ReadBlock(reader)));
            state.Layers.set_state(RngTensor(ReadBlock(reader)));
            var schedule = new double[reader.ReadInt32()];
            for (int i = 0; i < schedule.Length; i++) schedule[i] = reader.ReadDouble();
            if (state.Schedule is IAdaptiveSchedule adaptive && schedule.Length > 0) adaptive.SetState(schedule);
            state.Stopping.Read(reader);
            return completed;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"The checkpoint '{Path}' is truncated; delete it to start over.", e);
        }
    }

    /// <summary>Checks the file's trailer and SHA-256 before anything of it is used.</summary>
    void Verify()
    {
        using var file = File.OpenRead(Path);
        long body = file.Length - HashLength - Trailer.Length;
        var tail = new byte[HashLength + Trailer.Length];
        if (body >= Magic.Length)
        {
            file.Position = body;
            file.ReadExactly(tail);
        }
        if (body < Magic.Length || !tail.AsSpan(HashLength).SequenceEqual(Trailer))
            throw new InvalidDataException($"The checkpoint '{Path}' is truncated or not of this version (no checksum trailer); it is left in place: delete it to start over.");

        file.Position = 0;
        using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long left = body; left > 0;)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read <= 0) throw new InvalidDataException($"The checkpoint '{Path}' is truncated; it is left in place: delete it to start over.");
            hasher.AppendData(buffer, 0, read);
            left -= read;
        }
        if (!hasher.GetHashAndReset().AsSpan().SequenceEqual(tail.AsSpan(0, HashLength)))
            throw new InvalidDataException($"The checkpoint '{Path}' is corrupt: its SHA-256 does not match its contents. It is left in place: delete it to start over.");
    }

    static void WriteBlock(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Writes a block as <see cref="WriteBlock(BinaryWriter, byte[])"/> does, its length patched in after <paramref name="write"/>.</summary>
    static void WriteBlock(BinaryWriter writer, Action<BinaryWriter> write)
    {
        var stream = writer.BaseStream;
        long start = stream.Position;
        writer.Write(0);
        write(writer);
        writer.Flush();
        long end = stream.Position, length = end - start - sizeof(int);
        if (length > int.MaxValue) throw new InvalidOperationException($"A checkpoint block of {length:N0} bytes is over the format's 2 GB limit.");
        stream.Position = start;
        writer.Write((int)length);
        writer.Flush();
        stream.Position = end;
    }

    static byte[] ReadBlock(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        var bytes = reader.ReadBytes(length);
        if (length < 0 || bytes.Length != length) throw new EndOfStreamException();
        return bytes;
    }

    static byte[] RngBytes(Tensor state)
    {
        using (state) return state.data<byte>().ToArray();
    }

    static Tensor RngTensor(byte[] bytes) => torch.tensor(bytes, dtype: ScalarType.Byte);
}
