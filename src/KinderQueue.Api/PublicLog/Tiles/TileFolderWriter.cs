using KinderQueue.Core.Log;
using KinderQueue.Core.Log.Tiles;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.PublicLog.Tiles;

/// <summary>
/// Keeps a folder of static tiles (c2sp.org/tlog-tiles, SPEC.md §11.7) current, when
/// <c>KinderQueue:Tiles:Directory</c> is set: after each new checkpoint it writes the tiles and bundles
/// that checkpoint's size added (a full one once, a partial one replaced), then the checkpoint note with
/// the cosignatures gathered, last, through <see cref="TilePublisher"/>. It runs beside the log, never in
/// its way: appends and checkpoints do not wait for it, and a failure (a full disk, the database) is
/// logged, counted and retried with a growing delay while the log goes on.
/// </summary>
public sealed class TileFolderWriter(TileFolder folder, LogTiles tiles, LiveLog log, CheckpointBoard board, CosignedCheckpoints cosigned,
    ILogger<TileFolderWriter> logger) : BackgroundService
{
    /// <summary>How often the note is looked at again without a new checkpoint: cosignatures arrive after it.</summary>
    public static readonly TimeSpan LookInterval = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    // Only this loop touches these.
    private long _tilesOf = -1;
    private byte[]? _note;

    public string Folder => folder.Root;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Tiles: the log is written as static tiles into {Folder} after each checkpoint", folder.Root);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var latest = board.Latest;
            try
            {
                if (latest?.Note is not null) await PublishAsync(latest, stoppingToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failures++;
                TileTelemetry.Failures.Add(1);
                logger.LogWarning(ex, "Tiles: could not bring {Folder} up to the checkpoint of {Size} entries (attempt {Attempt}); retrying",
                    folder.Root, latest?.Checkpoint.Size, failures);
            }
            try
            {
                if (failures > 0) await Task.Delay(RetryDelay(failures), stoppingToken).ConfigureAwait(false);
                else await board.CoveringAsync((latest?.Checkpoint.Size ?? -1) + 1, stoppingToken).WaitAsync(LookInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>1, 2, 4 … seconds, at most a minute.</summary>
    public static TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetryDelay.TotalSeconds, Math.Pow(2, Math.Min(failures - 1, 10))));

    private async Task PublishAsync(PublishedCheckpoint latest, CancellationToken ct)
    {
        var size = latest.Checkpoint.Size;
        var publisher = new TilePublisher(folder, compareExisting: false);
        if (size > _tilesOf)
        {
            var tree = await log.TreeCoveringAsync(size, ct).ConfigureAwait(false);
            if (tree.Count < size) throw new InvalidOperationException($"The tree has {tree.Count} entries, fewer than the checkpoint's {size}.");
            // The note goes out only over the entries it signs (SPEC.md §11.7).
            if (!tree.Root(size).AsSpan().SequenceEqual(latest.Checkpoint.Root))
                throw new LogCorruptException(size - 1, "ends a tree whose root is not the checkpoint's");
            // Those the last size already had are written and unchanged; after a restart (_tilesOf = -1) all are
            // looked at, and full ones already there are kept without reading them.
            var since = Math.Max(0, _tilesOf);
            foreach (var id in TileLayout.EntryBundles(size).Concat(TileLayout.HashTiles(size)))
            {
                if (TileLayout.Covers(id, since) || !publisher.Needs(id)) continue;
                var bytes = await tiles.BytesAsync(tree, id, ct).ConfigureAwait(false);
                var put = bytes.Success ? publisher.Put(id, bytes.Value!) : Core.Parsed<string>.Fail(bytes.Problems);
                // An entry too long for a bundle, or another log's tile in the folder: no retry changes that, but the
                // log goes on and the next checkpoint tries again, so the warning repeats until someone looks.
                if (!put.Success) throw new InvalidOperationException($"{folder.Root}: {put.Problems[0].Message}");
            }
            _tilesOf = size;
            TileTelemetry.Written.Add(publisher.Written);
        }

        var (note, _) = cosigned.NoteOf(latest);
        if (_note is not null && _note.AsSpan().SequenceEqual(note)) return;
        // Replicas writing one folder may be a checkpoint apart: the one behind leaves the newer note in place.
        if (folder.Read(TilePublisher.CheckpointPath) is { } existing && SizeOf(existing) > size) return;
        publisher.PutCheckpoint(note);
        _note = note;
        TileTelemetry.Written.Add(1);
        TileTelemetry.Published(size);
        logger.LogInformation("Tiles: {Folder} holds the checkpoint of {Size} entries ({Written} files written)", folder.Root, size, publisher.Written);
    }

    private static long SizeOf(byte[] note)
    {
        var parsed = SignedNote.Parse(note);
        if (!parsed.Success) return -1;
        var checkpoint = NoteCheckpoint.Parse(parsed.Value!.Text);
        return checkpoint.Success ? checkpoint.Value!.Size : -1;
    }
}
