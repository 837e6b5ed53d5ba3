using System.Globalization;
using KinderQueue.Cli.Verify;
using KinderQueue.Core;
using KinderQueue.Core.Log;
using KinderQueue.Core.Log.Tiles;

namespace KinderQueue.Cli.Tiles;

/// <summary>
/// <c>kq publish-tiles &lt;dir&gt; &lt;url-or-file&gt;</c>: writes a log as a tiled log (c2sp.org/tlog-tiles)
/// into a folder a static host can serve: entry bundles, hash tiles and the checkpoint note. Rerun on a
/// grown log it adds the new full tiles and replaces the partial ones; a full one already there is
/// compared and never rewritten. Exit 0 published, 1 a problem (the checkpoint does not match the
/// entries, an entry too long for a bundle, the folder holds another log), 2 usage, input or network error.
/// </summary>
internal static class PublishTilesCommand
{
    public const string Usage = """
          kq publish-tiles <dir> <url-or-file> [--checkpoint NOTE]
                                                      write the log as static tiles (c2sp.org/tlog-tiles) into dir:
                                                      tile/…, tile/entries/… and the checkpoint note; a URL's note is
                                                      fetched, for a file give the note (else no checkpoint is written)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? http)
    {
        string? dir = null, source = null, noteFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--checkpoint" && i + 1 < args.Length && noteFile is null) noteFile = args[++i];
            else if (!args[i].StartsWith("--", StringComparison.Ordinal) && dir is null) dir = args[i];
            else if (!args[i].StartsWith("--", StringComparison.Ordinal) && source is null) source = args[i];
            else return UsageError(stderr, $"unexpected argument '{args[i]}'");
        }
        if (dir is null || source is null) return UsageError(stderr, "name the folder and the log (a service URL or an NDJSON export file)");
        if (noteFile is not null && LogSources.IsUrl(source)) return UsageError(stderr, "--checkpoint is for a file source; a service's note is fetched from it");
        try
        {
            return await PublishAsync(dir, source, noteFile, stdout, stderr, http).ConfigureAwait(false);
        }
        catch (SourceException ex)
        {
            stderr.WriteLine(ex.Message);
            return CliApp.InputError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{dir}: cannot write: {ex.Message}");
            return CliApp.InputError;
        }
    }

    private static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine($"kq publish-tiles: {message}");
        stderr.WriteLine(Usage);
        return CliApp.InputError;
    }

    private static async Task<int> PublishAsync(string dir, string source, string? noteFile, TextWriter stdout, TextWriter stderr, HttpMessageHandler? http)
    {
        using var log = LogSources.Open(source, http, "kq-publish-tiles/1.0");
        byte[]? note = null;
        string noteName;
        if (log is HttpLogSource service)
        {
            noteName = service.Url(TilesLogSource.ServiceNotePath);
            note = await service.DocumentAsync(TilesLogSource.ServiceNotePath, default).ConfigureAwait(false)
                ?? throw new SourceException($"{noteName}: no checkpoint note published yet");
        }
        else
        {
            if (!File.Exists(source)) throw new SourceException($"{source}: cannot read: no such file (give a file or an http(s) URL)");
            noteName = noteFile ?? "";
            if (noteFile is not null) note = ReadFile(noteFile);
        }
        NoteCheckpoint? checkpoint = null;
        if (note is not null)
        {
            var parsed = TilesLogSource.ParseNote(note);
            if (!parsed.Success) throw new SourceException($"{noteName}: not a checkpoint note: {parsed.Problems[0].Message}");
            checkpoint = parsed.Value!;
        }

        var publisher = new TilePublisher(new FolderTileFiles(dir), compareExisting: true);
        var tree = new MerkleStore();
        var bundle = new List<ReadOnlyMemory<byte>>(TileId.FullWidth);
        var limit = checkpoint?.Size;
        using (var stream = await log.OpenAsync(0, limit, default).ConfigureAwait(false))
        {
            var tail = new NdjsonBatches.Tail();
            await foreach (var batch in NdjsonBatches.Read(stream.Stream, tail, log.Name, default).ReadAllAsync().ConfigureAwait(false))
            {
                using (batch)
                {
                    foreach (var line in batch.Lines)
                    {
                        if (tree.Count == limit) break;
                        tree.Append(MerkleHash.Leaf(line.Span));
                        bundle.Add(line.ToArray());
                        if (bundle.Count == TileId.FullWidth && Flush(publisher, bundle, tree.Count, stderr) is { } failed) return failed;
                    }
                }
            }
            if (tail.Unterminated) throw new SourceException($"{log.Name}: the last line has no newline: the export is cut off");
        }
        if (bundle.Count > 0 && Flush(publisher, bundle, tree.Count, stderr) is { } last) return last;

        var size = tree.Count;
        if (checkpoint is not null)
        {
            if (size < checkpoint.Size)
            {
                stderr.WriteLine($"{log.Name}: has {size} entries, fewer than the checkpoint's {checkpoint.Size}");
                return CliApp.Found;
            }
            if (!tree.Root(size).AsSpan().SequenceEqual(checkpoint.Root))
            {
                stderr.WriteLine($"{noteName}: the checkpoint's root is not the Merkle root of the log's first {size} entries; nothing published as its checkpoint");
                return CliApp.Found;
            }
        }
        var tiles = publisher.PutHashTiles(tree, size);
        if (!tiles.Success)
        {
            stderr.WriteLine($"{dir}: {tiles.Problems[0].Message}");
            return CliApp.Found;
        }
        if (note is not null) publisher.PutCheckpoint(note);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{dir}: tiled log of {size} entries: {publisher.Written} files written, {publisher.Kept} already there{(note is null ? "; no checkpoint written (give --checkpoint NOTE)" : "")}"));
        return CliApp.Ok;
    }

    /// <summary>Publishes the bundle ending at entry <paramref name="end"/>; the exit code if it cannot be.</summary>
    private static int? Flush(TilePublisher publisher, List<ReadOnlyMemory<byte>> entries, long end, TextWriter stderr)
    {
        var first = end - entries.Count;
        var encoded = EntryBundle.Encode(entries, first);
        var id = TileId.Entries(first / TileId.FullWidth, entries.Count);
        var put = encoded.Success ? publisher.Put(id, encoded.Value!) : Parsed<string>.Fail(encoded.Problems);
        if (entries.Count == TileId.FullWidth) entries.Clear();
        if (put.Success) return null;
        stderr.WriteLine(put.Problems[0].Message);
        return CliApp.Found;
    }

    private static byte[] ReadFile(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SourceException($"{file}: cannot read: {ex.Message}", ex);
        }
    }
}
