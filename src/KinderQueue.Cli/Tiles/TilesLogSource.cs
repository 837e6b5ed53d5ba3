using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using KinderQueue.Cli.Verify;
using KinderQueue.Core;
using KinderQueue.Core.Log;
using KinderQueue.Core.Log.Tiles;
using KinderQueue.Core.Verification;

namespace KinderQueue.Cli.Tiles;

/// <summary>
/// A tiled log (c2sp.org/tlog-tiles) as a source for <c>kq verify</c>: <c>tiles:&lt;prefix URL or folder&gt;</c>,
/// or a folder holding a <c>checkpoint</c> file and a <c>tile/</c> folder. It reads the checkpoint note,
/// streams the entries of its size from the entry bundles as the NDJSON export the verifier reads,
/// and rebuilds the tree from them; <see cref="CheckAsync"/> then checks what an export cannot show:
/// the note's root is the root of those entries, every hash tile is the one the entries give, and the
/// root computed from the tiles alone is the note's.
/// </summary>
internal sealed class TilesLogSource : ILogSource
{
    public const string Prefix = "tiles:";

    /// <summary>Where a service serves the note, under <see cref="HttpLogSource.PublicPath"/>; its tiles are under <c>tlog/</c> too.</summary>
    public const string ServiceNotePath = "tlog/checkpoint";

    private readonly ITileFetcher _fetch;
    private readonly MerkleStore _rebuilt = new();
    private NoteCheckpoint? _checkpoint;
    private byte[]? _note;
    private VerificationFinding? _problem;

    private TilesLogSource(string name, ITileFetcher fetch)
    {
        Name = name;
        _fetch = fetch;
    }

    public string Name { get; }

    /// <summary>Whether the user named a tiled log: the <c>tiles:</c> prefix, or a folder laid out as one.</summary>
    public static bool Names(string source) =>
        source.StartsWith(Prefix, StringComparison.Ordinal)
        || (Directory.Exists(source) && File.Exists(Path.Combine(source, TilePublisher.CheckpointPath)) && Directory.Exists(Path.Combine(source, "tile")));

    public static TilesLogSource Open(string source, HttpMessageHandler? http, string agent)
    {
        var location = source.StartsWith(Prefix, StringComparison.Ordinal) ? source[Prefix.Length..] : source;
        ITileFetcher fetch = LogSources.IsUrl(location) ? new HttpTileFetcher(new Uri(location), http, agent) : new FolderTileFetcher(location);
        return new TilesLogSource(source, fetch);
    }

    /// <summary>A note's checkpoint (its signatures are checked by <see cref="CheckAsync"/> against a key).</summary>
    public static Parsed<NoteCheckpoint> ParseNote(byte[] note)
    {
        var parsed = SignedNote.Parse(note);
        return parsed.Success ? NoteCheckpoint.Parse(parsed.Value!.Text) : Parsed<NoteCheckpoint>.Fail(parsed.Problems);
    }

    public async Task<LogStream> OpenAsync(long from, long? count, CancellationToken ct)
    {
        var checkpoint = await CheckpointAsync(ct).ConfigureAwait(false);
        var end = count is { } c ? Math.Min(checkpoint.Size, from + c) : checkpoint.Size;
        if (from != 0 && from != _rebuilt.Count) throw new InvalidOperationException("A tiled log is read from its start, then on from where it stopped.");
        return new LogStream(new BundleStream(this, from, end), Math.Max(0, end - from), null);
    }

    private async Task<NoteCheckpoint> CheckpointAsync(CancellationToken ct)
    {
        if (_checkpoint is not null) return _checkpoint;
        _note = await _fetch.GetAsync(TilePublisher.CheckpointPath, ct).ConfigureAwait(false)
            ?? throw new SourceException($"{_fetch.Describe(TilePublisher.CheckpointPath)}: no checkpoint: not a tiled log");
        var parsed = ParseNote(_note);
        if (!parsed.Success) throw new SourceException($"{_fetch.Describe(TilePublisher.CheckpointPath)}: not a checkpoint note: {parsed.Problems[0].Message}");
        return _checkpoint = parsed.Value!;
    }

    /// <summary>
    /// The tile checks after the verifier has read the entries: a finding if any fails, the report
    /// (with the note among its checked checkpoints when a note key verified its signature) otherwise.
    /// </summary>
    /// <param name="key">The --key file, if given: a <c>/public/log-key</c> document carries the note verifier key.</param>
    public async Task<VerificationReport> CheckAsync(VerificationReport report, byte[]? key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        var finding = _problem ?? await FindAsync(report, key, ct).ConfigureAwait(false);
        if (finding is not null) return report with { Problem = finding };
        if (NoteKey(key) is null) return report;
        var checkpoint = _checkpoint!;
        return report with { Checkpoints = report.Checkpoints.Add(new CheckedCheckpoint(_fetch.Describe(TilePublisher.CheckpointPath), checkpoint.Size, Hex.Encode(checkpoint.Root), Saved: false)) };
    }

    private async Task<VerificationFinding?> FindAsync(VerificationReport report, byte[]? key, CancellationToken ct)
    {
        var checkpoint = await CheckpointAsync(ct).ConfigureAwait(false);
        var where = _fetch.Describe(TilePublisher.CheckpointPath);
        VerificationFinding Found(string code, string message, string? subject = null, long? seq = null) =>
            new(VerificationCheck.Checkpoints, seq, code, "$", message, subject ?? where);

        if (key is not null)
        {
            if (NoteKey(key) is not { } verifier)
                return Found("tiles.no-note-key", "The --key file has no noteVerifierKey: give the service's /public/log-key document to check the note's signature.");
            if (!verifier.Verifies(SignedNote.Parse(_note).GetValueOrThrow()))
                return Found("checkpoint.signature", $"The checkpoint note carries no valid signature of {verifier.KeyName}.");
            if (checkpoint.Origin != verifier.KeyName)
                return Found("checkpoint.origin", $"The note's origin '{checkpoint.Origin}' is not the key's name '{verifier.KeyName}'.");
        }
        if (report.Size != checkpoint.Size)
            return Found("tiles.size", $"The entry bundles hold {report.Size} entries, the checkpoint says {checkpoint.Size}.");
        if (!report.Root.Equals(Hex.Encode(checkpoint.Root), StringComparison.Ordinal) || !_rebuilt.Root(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.Root))
            return Found("checkpoint.root", $"The Merkle root of the entries in the bundles ({report.Root}) is not the checkpoint's ({Hex.Encode(checkpoint.Root)}).");

        var tiles = new Dictionary<TileId, byte[]>();
        foreach (var id in TileLayout.HashTiles(checkpoint.Size))
        {
            var bytes = await _fetch.GetAsync(id.Path(), ct).ConfigureAwait(false);
            if (bytes is null) return Found("tiles.missing", $"{id} is not published, though the checkpoint's size needs it.", _fetch.Describe(id.Path()));
            if (!bytes.AsSpan().SequenceEqual(TileContent.Hashes(_rebuilt, id)))
                return Found("tiles.tile-differs", $"{id} is not the tile the entries give: a client proving inclusion from it would be misled.", _fetch.Describe(id.Path()));
            tiles[id] = bytes;
        }
        var fromTiles = TileTree.Over(checkpoint.Size, tiles).GetValueOrThrow().Root();
        if (!fromTiles.AsSpan().SequenceEqual(checkpoint.Root))
            return Found("checkpoint.root", "The root computed from the tiles is not the checkpoint's.");
        return null;
    }

    /// <summary>The note verifier key of a /public/log-key document, or null for a key file without one.</summary>
    private static SignedNote.VerifierKey? NoteKey(byte[]? key)
    {
        if (key is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(key);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("noteVerifierKey", out var v) && v.ValueKind == JsonValueKind.String
                && SignedNote.VerifierKey.Parse(v.GetString()!) is { Success: true } parsed ? parsed.Value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _fetch.Dispose();

    /// <summary>
    /// The entries [from, end) as NDJSON lines, one bundle fetched at a time. A bundle that is missing or
    /// malformed ends the stream early and is recorded as the source's finding.
    /// </summary>
    private sealed class BundleStream(TilesLogSource source, long from, long end) : Stream
    {
        private long _next = from;
        private byte[] _buffer = [];
        private int _offset;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            while (_offset == _buffer.Length)
            {
                if (_next >= end || source._problem is not null) return 0;
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
            var n = Math.Min(destination.Length, _buffer.Length - _offset);
            _buffer.AsMemory(_offset, n).CopyTo(destination);
            _offset += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        private async Task FillAsync(CancellationToken ct)
        {
            var size = source._checkpoint!.Size;
            var index = _next / TileId.FullWidth;
            var id = TileId.Entries(index, (int)Math.Min(TileId.FullWidth, size - index * TileId.FullWidth));
            var bytes = await source._fetch.GetAsync(id.Path(), ct).ConfigureAwait(false);
            if (bytes is null)
            {
                Fail(id, "tiles.missing", $"{id} is not published, though the checkpoint's size needs it.");
                return;
            }
            var decoded = EntryBundle.Decode(bytes, id.Width);
            if (!decoded.Success)
            {
                Fail(id, decoded.Problems[0].Code, $"{id}: {decoded.Problems[0].Message}");
                return;
            }
            using var lines = new MemoryStream();
            var first = (int)(_next - index * TileId.FullWidth);
            var last = (int)Math.Min(id.Width, end - index * TileId.FullWidth);
            var position = _next;
            foreach (var entry in decoded.Value!.Items.AsSpan()[first..last])
            {
                if (entry.Span.Contains((byte)'\n'))
                {
                    Fail(id, "tiles.entry-newline", $"{id}: an entry holds a newline, so it is not canonical entry bytes (SPEC.md §6.1).");
                    return;
                }
                // A second pass over a prefix (the verifier's deferred replay) rebuilds nothing twice.
                if (position++ == source._rebuilt.Count) source._rebuilt.Append(MerkleHash.Leaf(entry.Span));
                lines.Write(entry.Span);
                lines.WriteByte((byte)'\n');
            }
            _next = index * TileId.FullWidth + last;
            _buffer = lines.ToArray();
            _offset = 0;
        }

        private void Fail(TileId id, string code, string message) =>
            source._problem = new VerificationFinding(VerificationCheck.Entries, _next, code, "$", message, source._fetch.Describe(id.Path()));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Reads the resources of a tiled log by their path under its prefix; null for one that is not there.</summary>
internal interface ITileFetcher : IDisposable
{
    Task<byte[]?> GetAsync(string path, CancellationToken ct);

    /// <summary>The full name of a resource, for messages.</summary>
    string Describe(string path);
}

internal sealed class FolderTileFetcher(string folder) : ITileFetcher
{
    public Task<byte[]?> GetAsync(string path, CancellationToken ct)
    {
        var full = Describe(path);
        try
        {
            return Task.FromResult(File.Exists(full) ? File.ReadAllBytes(full) : null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SourceException($"{full}: cannot read: {ex.Message}", ex);
        }
    }

    public string Describe(string path) => Path.Combine(folder, path.Replace('/', Path.DirectorySeparatorChar));

    public void Dispose()
    {
    }
}

internal sealed class HttpTileFetcher : ITileFetcher
{
    private readonly HttpClient _client;
    private readonly Uri _prefix;

    public HttpTileFetcher(Uri prefix, HttpMessageHandler? handler, string agent)
    {
        var text = prefix.ToString();
        _prefix = new Uri(text.EndsWith('/') ? text : text + "/");
        _client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(agent);
        _client.Timeout = TimeSpan.FromMinutes(2);
    }

    public async Task<byte[]?> GetAsync(string path, CancellationToken ct)
    {
        var url = Describe(path);
        try
        {
            using var response = await _client.GetAsync(new Uri(url), ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (response.StatusCode != HttpStatusCode.OK) throw new SourceException($"{url}: answered {(int)response.StatusCode} {response.ReasonPhrase}");
            return await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceException($"{url}: cannot fetch: {ex.Message}", ex);
        }
    }

    public string Describe(string path) => new Uri(_prefix, path).ToString();

    public void Dispose() => _client.Dispose();
}
