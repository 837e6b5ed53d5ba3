using KinderQueue.Api.Hosting;
using System.Globalization;
using System.IO.Pipelines;
using System.Security.Cryptography;
using KinderQueue.Api.PublicLog;
using KinderQueue.Core;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Log;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using Microsoft.Net.Http.Headers;
using ValidationProblem = KinderQueue.Core.ValidationProblem;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// The transparency API (SPEC.md §11): anyone may download the log, the latest signed checkpoint,
/// the key that signs checkpoints, and inclusion and consistency proofs. Anonymous and read-only;
/// nothing here holds personal data (the log itself holds none, SPEC.md §2). Bodies are canonical
/// JSON (or the log's own NDJSON), so equal answers are equal bytes and carry equal ETags.
/// </summary>
public static class PublicLogApi
{
    public const string NdjsonContentType = "application/x-ndjson";

    /// <summary>Header on every export: the size of the log the response was cut at.</summary>
    public const string LogSizeHeader = "X-Log-Size";

    /// <summary>An answer fixed by its parameters (an entry range inside the log, a proof for given sizes) never changes.</summary>
    private const string Immutable = "public, max-age=31536000, immutable";

    /// <summary>An answer that follows the latest checkpoint or the end of the log: cache, but ask again (ETag) each time.</summary>
    private const string Revalidate = "public, no-cache";

    private const string KeyCaching = "public, max-age=3600";

    public static RouteGroupBuilder MapPublicLogApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/public").WithTags("Public log").AllowAnonymous();
        group.MapGet("/log", Export)
            .WithSummary("The log as NDJSON: entry bytes (SPEC.md §6.1) one per line, entries from..from+count-1 (count: to the end). X-Log-Size: the log size the answer was cut at.")
            .Produces(StatusCodes.Status200OK, contentType: NdjsonContentType).Produces(StatusCodes.Status304NotModified).ProducesProblem(400);
        group.MapGet("/checkpoint", LatestCheckpoint)
            .WithSummary("The latest signed checkpoint {head, logId, root, signature, size, time}; verify it with the key from /public/log-key.")
            .Produces<CheckpointDocument>(200).Produces(StatusCodes.Status304NotModified).ProducesProblem(503);
        group.MapGet("/tlog/checkpoint", LatestCheckpointNote)
            .WithSummary("The latest checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint): origin, size, base64 root, kq-head and kq-time lines, Ed25519 signature, then any witnesses' cosignatures (c2sp.org/tlog-cosignature); verify it with noteVerifierKey from /public/log-key.")
            .Produces(200, contentType: "text/plain").Produces(StatusCodes.Status304NotModified).ProducesProblem(503);
        group.MapGet("/log-key", LogKey)
            .WithSummary("The checkpoint keys: SPKI (PEM and base64 DER) and JWK of the ECDSA key, both importable by WebCrypto, its algorithm, the logId (SHA-256 of the SPKI), and the note verifier key (c2sp.org/signed-note) with the log's origin.")
            .Produces<LogKeyDocument>(200).Produces(StatusCodes.Status304NotModified);
        group.MapGet("/proofs/inclusion", Inclusion)
            .WithSummary("Inclusion proof (RFC 9162 §2.1.3) of entry seq in the tree of the first size entries; size defaults to the latest checkpoint's.")
            .Produces<InclusionProofDocument>(200).Produces(StatusCodes.Status304NotModified).ProducesProblem(400).ProducesProblem(404).ProducesProblem(503);
        group.MapGet("/proofs/consistency", Consistency)
            .WithSummary("Consistency proof (RFC 9162 §2.1.4) that the tree of size to extends the tree of size from (from ≥ 1); to defaults to the latest checkpoint's size.")
            .Produces<ConsistencyProofDocument>(200).Produces(StatusCodes.Status304NotModified).ProducesProblem(400).ProducesProblem(404).ProducesProblem(503);
        // The same log as c2sp.org/tlog-tiles beside tlog/checkpoint (SPEC.md §11.7).
        group.MapTlogTiles();
        return v1;
    }

    private static IResult Export(HttpContext http, LiveLog log, ILogStore store, CheckpointSigner signer, ILogger<LogExport> logger)
    {
        var problems = new List<ValidationProblem>();
        var from = QueryInteger(http.Request, "from", required: false, min: 0, problems) ?? 0;
        var count = QueryInteger(http.Request, "count", required: false, min: 0, problems);
        if (problems.Count > 0) return ApiProblems.Validation(problems);

        // Cut at what this instance has folded (and verified): every line served is a leaf of its tree.
        var tree = log.Tree;
        var size = tree.Count;
        http.Response.Headers[LogSizeHeader] = size.ToString(CultureInfo.InvariantCulture);
        if (from > size)
            return ApiProblems.Validation("$query.from", "log.beyond-size", $"The log has {size} entries; 'from' may be at most {size}.");
        var end = count is null || count.Value >= size - from ? size : from + count.Value;
        var fixedRange = count is not null && count.Value <= size - from;
        if (HttpCaching.NotModified(http, $"\"{signer.LogId[..16]}-log-{from}-{end}\"", fixedRange ? Immutable : Revalidate)) return TypedResults.StatusCode(304);
        return new LogExport(store, tree, from, end, logger);
    }

    private static IResult LatestCheckpoint(HttpContext http, CheckpointBoard board)
    {
        var latest = board.Latest;
        if (latest is null) return ApiProblems.Unavailable("No checkpoint has been issued yet; retry in a second.");
        if (HttpCaching.NotModified(http, latest.ETag, Revalidate)) return TypedResults.StatusCode(304);
        return new CanonicalJson(latest.Json);
    }

    /// <summary>The latest checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint), what witnesses and tlog tools read.</summary>
    private static IResult LatestCheckpointNote(HttpContext http, CheckpointBoard board, CosignedCheckpoints cosigned)
    {
        var latest = board.Latest;
        if (latest?.Note is null) return ApiProblems.Unavailable("No checkpoint note has been issued yet; retry in a second.");
        // With the witnesses' cosignature lines gathered so far (SPEC.md §11.2b); their arrival changes the ETag.
        var (note, etag) = cosigned.NoteOf(latest);
        if (HttpCaching.NotModified(http, etag, Revalidate)) return TypedResults.StatusCode(304);
        return TypedResults.Bytes(note, "text/plain; charset=utf-8");
    }

    private static IResult LogKey(HttpContext http, CheckpointSigner signer)
    {
        var w = new CanonicalJsonWriter(512);
        w.StartObject();
        w.Property("algorithm", CheckpointKey.Algorithm);
        w.Key("jwk");
        w.StartObject();
        w.Property("crv", "P-256");
        w.Property("kty", "EC");
        w.Property("x", signer.JwkX);
        w.Property("y", signer.JwkY);
        w.EndObject();
        w.Property("logId", signer.LogId);
        w.Property("noteVerifierKey", signer.Note.VerifierKey);
        w.Property("origin", signer.Origin);
        w.Property("publicKeyPem", signer.PublicKeyPem);
        w.Property("spki", Convert.ToBase64String(signer.Spki));
        w.EndObject();
        var body = w.ToArray();
        if (HttpCaching.NotModified(http, $"\"{Hex.Encode(SHA256.HashData(body).AsSpan(0, 16))}\"", KeyCaching)) return TypedResults.StatusCode(304);
        return new CanonicalJson(body);
    }

    private static async Task<IResult> Inclusion(HttpContext http, LiveLog log, CheckpointBoard board, CheckpointSigner signer)
    {
        var problems = new List<ValidationProblem>();
        var seq = QueryInteger(http.Request, "seq", required: true, min: 0, problems);
        var givenSize = QueryInteger(http.Request, "size", required: false, min: 0, problems);
        if (problems.Count > 0) return ApiProblems.Validation(problems);

        var tree = await TreeForAsync(givenSize, log, board, http.RequestAborted);
        if (ResolveSize(givenSize, "size", tree, board, out var size) is { } unknown) return unknown;
        if (seq!.Value >= size)
            return ApiProblems.NotFound("$query.seq", "proof.not-in-tree",
                $"Entry {seq} is not in the tree of {size} entries{(givenSize is null ? " (the latest checkpoint's); retry after the next checkpoint" : "")}.");
        if (HttpCaching.NotModified(http, $"\"{signer.LogId[..16]}-inclusion-{seq}-{size}\"", givenSize is null ? Revalidate : Immutable))
            return TypedResults.StatusCode(304);

        var w = new CanonicalJsonWriter(1024);
        w.StartObject();
        w.Property("entryHash", Hex.Encode(tree.LeafHash(seq.Value)));
        w.Property("index", seq.Value);
        WriteHashes(w, "proof", tree.InclusionProof(seq.Value, size));
        w.Property("root", Hex.Encode(tree.Root(size)));
        w.Property("size", size);
        w.EndObject();
        return new CanonicalJson(w.ToArray());
    }

    private static async Task<IResult> Consistency(HttpContext http, LiveLog log, CheckpointBoard board, CheckpointSigner signer)
    {
        var problems = new List<ValidationProblem>();
        // Consistency with the empty tree is trivial and not a proof (SPEC.md §6.3): from starts at 1.
        var from = QueryInteger(http.Request, "from", required: true, min: 1, problems);
        var givenTo = QueryInteger(http.Request, "to", required: false, min: 1, problems);
        if (problems.Count > 0) return ApiProblems.Validation(problems);

        var tree = await TreeForAsync(givenTo, log, board, http.RequestAborted);
        if (ResolveSize(givenTo, "to", tree, board, out var to) is { } unknown) return unknown;
        if (from!.Value > to)
            return ApiProblems.Validation("$query.from", "proof.from-after-to", $"'from' ({from}) must not exceed 'to' ({to}).");
        if (HttpCaching.NotModified(http, $"\"{signer.LogId[..16]}-consistency-{from}-{to}\"", givenTo is null ? Revalidate : Immutable))
            return TypedResults.StatusCode(304);

        var w = new CanonicalJsonWriter(1024);
        w.StartObject();
        w.Property("from", from.Value);
        w.Property("fromRoot", Hex.Encode(tree.Root(from.Value)));
        WriteHashes(w, "proof", tree.ConsistencyProof(from.Value, to));
        w.Property("to", to);
        w.Property("toRoot", Hex.Encode(tree.Root(to)));
        w.EndObject();
        return new CanonicalJson(w.ToArray());
    }

    /// <summary>
    /// This instance's tree, caught up to the size asked for (or the latest checkpoint's): checkpoints
    /// are shared by the replicas, so a client can hold one that another replica's writes made.
    /// </summary>
    private static Task<IMerkleTreeReader> TreeForAsync(long? given, LiveLog log, CheckpointBoard board, CancellationToken ct) =>
        log.TreeCoveringAsync(given ?? board.Latest?.Checkpoint.Size ?? 0, ct);

    /// <summary>A tree size from the query, or the latest checkpoint's; a size this log does not have yet is a 404.</summary>
    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? ResolveSize(long? given, string name, IMerkleTreeReader tree, CheckpointBoard board, out long size)
    {
        size = 0;
        var count = tree.Count;
        if (given is null)
        {
            if (board.Latest is not { } latest) return ApiProblems.Unavailable("No checkpoint has been issued yet; retry in a second.");
            size = latest.Checkpoint.Size;
            // TreeForAsync caught up to the checkpoint, so it is covered unless a reload is rebuilding it.
            return size > count ? ApiProblems.Unavailable("The log is being reloaded; retry in a second.") : null;
        }
        size = given.Value;
        return size > count
            ? ApiProblems.NotFound($"$query.{name}", "proof.size-beyond-log", $"The log has {count} entries; there is no tree of {size}.")
            : null;
    }

    private static void WriteHashes(CanonicalJsonWriter w, string key, IEnumerable<byte[]> hashes)
    {
        w.Key(key);
        w.StartArray();
        foreach (var h in hashes) w.String(Hex.Encode(h));
        w.EndArray();
    }

    /// <summary>
    /// A non-negative decimal integer query parameter, given at most once. Everything else is a
    /// problem naming the parameter, never a binding failure or a 500.
    /// </summary>
    private static long? QueryInteger(HttpRequest request, string name, bool required, long min, List<ValidationProblem> problems)
    {
        var path = $"$query.{name}";
        var values = request.Query[name];
        if (values.Count == 0)
        {
            if (required) problems.Add(new(path, "field.missing", $"'{name}' is required."));
            return null;
        }
        if (values.Count > 1)
        {
            problems.Add(new(path, "field.repeated", $"'{name}' may be given once."));
            return null;
        }
        var text = values[0] ?? "";
        var digits = text.StartsWith('-') ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            problems.Add(new(path, "field.type", $"'{name}' must be a whole number in decimal digits; got '{Truncate(text)}'."));
            return null;
        }
        long value = 0;
        var negative = text.StartsWith('-');
        if (!negative && !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            problems.Add(new(path, "field.range", $"'{name}' is too large; got '{Truncate(text)}'."));
            return null;
        }
        if (negative || value < min)
        {
            problems.Add(new(path, "field.range", $"'{name}' must be at least {min}; got '{Truncate(text)}'."));
            return null;
        }
        return value;
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>A body that is already canonical JSON, written as is.</summary>
    private sealed class CanonicalJson(byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}

/// <summary>
/// Streams entries [from, end) from the store as NDJSON (SPEC.md §6.4), straight into the response
/// pipe: memory stays flat whatever the range. Each line is rebuilt from the stored fields and hashed,
/// and must be the leaf this instance folded and signed; anything else (a gap, a changed row) aborts
/// the connection, so a client sees a failed download, never a complete-looking wrong one.
/// </summary>
public sealed class LogExport(ILogStore store, IMerkleTreeReader tree, long from, long end, ILogger<LogExport> logger) : IResult
{
    private const int FlushBytes = 64 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = PublicLogApi.NdjsonContentType;
        var pipe = response.BodyWriter;
        using var encoder = new LogEntryEncoder();
        var next = from;
        long unflushed = 0;
        try
        {
            await foreach (var stored in store.ReadAsync(from, end, ct))
            {
                if (stored.Seq != next || !WriteLine(pipe, encoder, stored, tree, out var written))
                {
                    Fail(httpContext, next, stored.Seq != next ? $"the store returned entry {stored.Seq}" : "its bytes are not the leaf this instance folded");
                    return;
                }
                next++;
                unflushed += written;
                if (unflushed < FlushBytes) continue;
                unflushed = 0;
                var flushed = await pipe.FlushAsync(ct);
                if (flushed.IsCanceled || flushed.IsCompleted) return;
            }
            if (next != end)
            {
                Fail(httpContext, next, "the store ended early");
                return;
            }
            await pipe.FlushAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>Writes the entry's line if its hash is the tree's leaf; the encoder hashes as it writes.</summary>
    private static bool WriteLine(PipeWriter pipe, LogEntryEncoder encoder, StoredEntry stored, IMerkleTreeReader tree, out int written)
    {
        Span<byte> hash = stackalloc byte[MerkleHash.SizeInBytes];
        Span<byte> leaf = stackalloc byte[MerkleHash.SizeInBytes];
        var bytes = encoder.Encode(stored.Seq, stored.At, stored.Actor, stored.Type, stored.Payload, stored.Prev, hash);
        tree.LeafHash(stored.Seq, leaf);
        written = bytes.Length + 1;
        if (!hash.SequenceEqual(leaf)) return false;
        var span = pipe.GetSpan(written);
        bytes.CopyTo(span);
        span[bytes.Length] = (byte)'\n';
        pipe.Advance(written);
        return true;
    }

    private void Fail(HttpContext httpContext, long seq, string why)
    {
        logger.LogError("Export aborted at entry {Seq}: {Why}", seq, why);
        httpContext.Abort();
    }
}

// Documentation of the bodies (OpenAPI); the endpoints write them as canonical JSON with these names.

/// <summary>A signed checkpoint (SPEC.md §11.2). Hashes are 64 lower-case hex digits, time an instant (§3.2).</summary>
public sealed record CheckpointDocument(string Head, string LogId, string Root, string Signature, long Size, string Time);

/// <summary>The checkpoint key (SPEC.md §11.1).</summary>
public sealed record LogKeyDocument(string Algorithm, JwkDocument Jwk, string LogId, string NoteVerifierKey, string Origin, string PublicKeyPem, string Spki);

public sealed record JwkDocument(string Crv, string Kty, string X, string Y);

/// <summary>PATH(index, D[size]) with the entry hash it starts from and the root it ends at (SPEC.md §11.4).</summary>
public sealed record InclusionProofDocument(string EntryHash, long Index, IReadOnlyList<string> Proof, string Root, long Size);

/// <summary>PROOF(from, D[to]) with both roots (SPEC.md §11.4).</summary>
public sealed record ConsistencyProofDocument(long From, string FromRoot, IReadOnlyList<string> Proof, long To, string ToRoot);
