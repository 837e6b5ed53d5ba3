using System.Globalization;
using System.Net;
using System.Threading.Channels;

namespace KinderQueue.Cli.Verify;

/// <summary>
/// Where a log comes from: an NDJSON export on disk or a running service's public API. One small
/// interface, so the verifier checks a file and a live server alike (the fsck pattern of
/// transparency logs). Failures to read are <see cref="SourceException"/>: an input or network
/// error, never a finding about the log.
/// </summary>
internal interface ILogSource : IDisposable
{
    /// <summary>What the user named: a path or a URL.</summary>
    string Name { get; }

    /// <summary>The NDJSON lines of entries <paramref name="from"/> onwards (<paramref name="count"/> of them, or to the end).</summary>
    Task<LogStream> OpenAsync(long from, long? count, CancellationToken ct);
}

/// <summary>An open export: its bytes, and what the source says about its extent.</summary>
internal sealed class LogStream(Stream stream, long? entries, long? bytes) : IDisposable
{
    public Stream Stream { get; } = stream;

    /// <summary>Entries the answer will hold, when the source says so (a service's X-Log-Size).</summary>
    public long? Entries { get; } = entries;

    /// <summary>Bytes the answer will hold, when known (a file's length).</summary>
    public long? Bytes { get; } = bytes;

    public void Dispose() => Stream.Dispose();
}

/// <summary>
/// How a command turns what the user named into a source: a tiled log (<c>tiles:…</c> or a folder with a
/// checkpoint and tile/), an http(s) URL is a service, anything else a file.
/// </summary>
internal static class LogSources
{
    public static bool IsUrl(string s) =>
        Uri.TryCreate(s, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps);

    /// <param name="agent">The User-Agent a service's operators see: which command is reading their log.</param>
    public static ILogSource Open(string source, HttpMessageHandler? http, string agent) =>
        Tiles.TilesLogSource.Names(source) ? Tiles.TilesLogSource.Open(source, http, agent)
        : IsUrl(source) ? new HttpLogSource(new Uri(source), http, agent) : new FileLogSource(source);
}

/// <summary>The log could not be read (missing file, refused request, broken transfer): exit code 2.</summary>
internal sealed class SourceException(string message, Exception? inner = null) : Exception(message, inner);

internal sealed class FileLogSource(string path) : ILogSource
{
    public string Name => path;

    public Task<LogStream> OpenAsync(long from, long? count, CancellationToken ct)
    {
        if (from != 0) throw new InvalidOperationException("A file is read from its start.");
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
            return Task.FromResult(new LogStream(stream, null, stream.Length));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SourceException($"{path}: cannot read: {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// A running service (SPEC.md §11): the export <c>/api/v1/public/log</c> streamed in one request,
/// and the documents around it (key, checkpoint, dashboard).
/// </summary>
internal sealed class HttpLogSource : ILogSource
{
    public const string PublicPath = "api/v1/public/";
    private readonly HttpClient _client;

    public HttpLogSource(Uri service, HttpMessageHandler? handler, string agent = "kq-verify/1.0")
    {
        // The user may give the service's address or any public URL under it.
        var text = service.GetLeftPart(UriPartial.Path);
        var cut = text.IndexOf("/api/v1/", StringComparison.Ordinal);
        var root = cut >= 0 ? text[..(cut + 1)] : text.EndsWith('/') ? text : text + "/";
        Name = service.ToString();
        _client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _client.BaseAddress = new Uri(root);
        _client.Timeout = Timeout.InfiniteTimeSpan; // a large export takes as long as it takes; each read has its own token
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(agent);
    }

    public string Name { get; }

    public async Task<LogStream> OpenAsync(long from, long? count, CancellationToken ct)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"log?from={from}{(count is { } c ? $"&count={c}" : "")}");
        var response = await SendAsync(query, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await SafeBody(response, ct).ConfigureAwait(false);
            response.Dispose();
            throw new SourceException($"{Url(query)}: answered {(int)response.StatusCode} {response.ReasonPhrase}{body}");
        }
        long? size = response.Headers.TryGetValues("X-Log-Size", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
        if (size is null)
        {
            response.Dispose();
            throw new SourceException($"{Url(query)}: no X-Log-Size header: this is not a KinderQueue log export (SPEC.md §11.3).");
        }
        var end = count is { } n ? Math.Min(size.Value, from + n) : size.Value;
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        return new LogStream(new OwningStream(stream, response), Math.Max(0, end - from), null);
    }

    /// <summary>A public document's bytes, or null when the service answers 503 (not issued yet) or 404.</summary>
    public async Task<byte[]?> DocumentAsync(string relative, CancellationToken ct)
    {
        using var response = await SendAsync(relative, ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.NotFound) return null;
        if (response.StatusCode != HttpStatusCode.OK)
            throw new SourceException($"{Url(relative)}: answered {(int)response.StatusCode} {response.ReasonPhrase}{await SafeBody(response, ct).ConfigureAwait(false)}");
        try
        {
            return await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceException($"{Url(relative)}: the transfer failed: {ex.Message}", ex);
        }
    }

    public string Url(string relative) => new Uri(_client.BaseAddress!, PublicPath + relative).ToString();

    private async Task<HttpResponseMessage> SendAsync(string relative, CancellationToken ct)
    {
        try
        {
            return await _client.GetAsync(PublicPath + relative, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceException($"{Url(relative)}: cannot connect: {ex.Message}", ex);
        }
    }

    private static async Task<string> SafeBody(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            return text.Length == 0 ? "" : ": " + (text.Length > 300 ? text[..300] + "…" : text);
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The response body, disposing the response with it.</summary>
    private sealed class OwningStream(Stream inner, HttpResponseMessage response) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>A run of whole lines from one buffer (give the buffer back with <see cref="Dispose"/> once verified).</summary>
internal sealed class LineBatch(byte[] buffer, List<ReadOnlyMemory<byte>> lines, long bytes, NdjsonBatches.Buffers pool) : IDisposable
{
    public List<ReadOnlyMemory<byte>> Lines { get; } = lines;

    /// <summary>Bytes of the stream this batch covers, newlines included.</summary>
    public long Bytes { get; } = bytes;

    public void Dispose() => pool.Return(buffer);
}

/// <summary>
/// Splits an NDJSON stream into batches of whole lines, reading ahead on its own task so that the
/// network or disk works while the verifier does. Memory: a few buffers of <see cref="BatchBytes"/>.
/// </summary>
internal static class NdjsonBatches
{
    public const int BatchBytes = 4 << 20;

    /// <summary>The outcome once the stream is exhausted: whether bytes followed the last newline (they are not given as a line).</summary>
    public sealed class Tail
    {
        public bool Unterminated { get; set; }
    }

    /// <summary>
    /// The few large buffers of one read, passed between the reading task and the verifier and
    /// reused: allocating a fresh 4 MiB buffer per batch made the garbage collector sweep the whole
    /// folded state again and again (measured: 3 s more on a million entries).
    /// </summary>
    public sealed class Buffers
    {
        private readonly System.Collections.Concurrent.ConcurrentBag<byte[]> _free = [];

        public byte[] Rent(int minimum)
        {
            while (_free.TryTake(out var buffer))
            {
                if (buffer.Length >= minimum) return buffer;
            }
            return GC.AllocateUninitializedArray<byte>(Math.Max(minimum, BatchBytes));
        }

        public void Return(byte[] buffer) => _free.Add(buffer);
    }

    public static ChannelReader<LineBatch> Read(Stream stream, Tail tail, string name, CancellationToken ct)
    {
        var channel = Channel.CreateBounded<LineBatch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        _ = Task.Run(async () =>
        {
            try
            {
                await Produce(stream, channel.Writer, tail, ct).ConfigureAwait(false);
                channel.Writer.Complete();
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or ObjectDisposedException)
            {
                channel.Writer.Complete(new SourceException($"{name}: the transfer failed: {ex.Message}", ex));
            }
            catch (Exception ex)
            {
                channel.Writer.Complete(ex);
            }
        }, ct);
        return channel.Reader;
    }

    private static async Task Produce(Stream stream, ChannelWriter<LineBatch> writer, Tail tail, CancellationToken ct)
    {
        var pool = new Buffers();
        var buffer = pool.Rent(BatchBytes);
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                // One line longer than the buffer: grow it.
                var bigger = pool.Rent(buffer.Length * 2);
                buffer.AsSpan(0, filled).CopyTo(bigger);
                pool.Return(buffer);
                buffer = bigger;
            }
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
            var end = read == 0;
            filled += read;
            if (!end && filled < buffer.Length) continue;

            var last = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n');
            if (last < 0 && !end) continue;
            var lines = new List<ReadOnlyMemory<byte>>(Math.Max(16, (last + 1) / 300));
            var start = 0;
            while (start <= last)
            {
                var nl = buffer.AsSpan(start, last + 1 - start).IndexOf((byte)'\n');
                lines.Add(buffer.AsMemory(start, nl));
                start += nl + 1;
            }
            var carry = filled - (last + 1);
            var next = pool.Rent(Math.Max(BatchBytes, carry * 2));
            buffer.AsSpan(last + 1, carry).CopyTo(next);
            await writer.WriteAsync(new LineBatch(buffer, lines, last + 1, pool), ct).ConfigureAwait(false);
            buffer = next;
            filled = carry;
            if (end)
            {
                tail.Unterminated = carry > 0;
                pool.Return(buffer);
                return;
            }
        }
    }
}
