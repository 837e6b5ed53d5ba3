using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// A lean HTTP/1.1 load generator in the spirit of wrk: one keep-alive socket per connection, requests
/// pre-encoded as bytes, responses parsed just enough (status, Content-Length or chunked, the body). On a
/// two-core machine the client shares the CPU with the service; HttpClient spends several times more per
/// request than this, so with it a benchmark measures mostly the client.
/// </summary>
public static class RawHttpLoad
{
    /// <summary>One request: its bytes, and a byte string a correct answer's body must contain (or null).</summary>
    public sealed record Request(byte[] Bytes, byte[]? MustContain);

    public sealed record Phase(long Ok, long Errors, List<double>[] Latencies, List<string> FirstErrors, TimeSpan Elapsed)
    {
        public double Rps => Ok / Elapsed.TotalSeconds;
    }

    public static Request Get(string path, string? mustContain, string extraHeaders = "") =>
        new(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extraHeaders}\r\n"), mustContain is null ? null : Encoding.UTF8.GetBytes(mustContain));

    public static Request PostJson(string path, byte[] body, string? mustContain)
    {
        var head = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        return new([.. head, .. body], mustContain is null ? null : Encoding.UTF8.GetBytes(mustContain));
    }

    public static async Task<Phase> RunAsync(int port, int connections, TimeSpan duration, Func<int, Request> make, CancellationToken ct)
    {
        var next = -1;
        long ok = 0, errors = 0;
        var firstErrors = new List<string>();
        var started = Stopwatch.GetTimestamp();
        var loops = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>(65536);
            Socket? socket = null;
            var buffer = new byte[256 * 1024];
            try
            {
                while (Stopwatch.GetElapsedTime(started) < duration)
                {
                    socket ??= await ConnectAsync(port, ct);
                    var r = make(Interlocked.Increment(ref next));
                    var t0 = Stopwatch.GetTimestamp();
                    string? problem;
                    try
                    {
                        await socket.SendAsync(r.Bytes, SocketFlags.None, ct);
                        problem = await ReadResponseAsync(socket, buffer, r.MustContain, ct);
                    }
                    catch (Exception ex) when (ex is SocketException or IOException)
                    {
                        problem = ex.Message;
                    }
                    latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    if (problem is null)
                    {
                        Interlocked.Increment(ref ok);
                        continue;
                    }
                    Interlocked.Increment(ref errors);
                    lock (firstErrors)
                    {
                        if (firstErrors.Count < 5) firstErrors.Add(problem);
                    }
                    // The connection's state is unknown after a bad answer: start a new one.
                    socket.Dispose();
                    socket = null;
                }
            }
            finally
            {
                socket?.Dispose();
            }
            return latencies;
        }, ct)).ToArray();
        var latencies = await Task.WhenAll(loops);
        return new Phase(ok, errors, latencies, firstErrors, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<Socket> ConnectAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
        return socket;
    }

    /// <summary>Reads one response; null when it is a 200 whose body contains <paramref name="mustContain"/>, else what is wrong.</summary>
    private static async Task<string?> ReadResponseAsync(Socket socket, byte[] buffer, byte[]? mustContain, CancellationToken ct)
    {
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == buffer.Length) return "response headers too large";
            var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
            if (n == 0) return "connection closed";
            filled += n;
        }
        var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
        var status = head.Length >= 12 ? head.Substring(9, 3) : "???";
        var bodyStart = headerEnd + 4;
        byte[] body;
        var length = HeaderValue(head, "content-length");
        if (length is not null)
        {
            var total = bodyStart + int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            if (total > buffer.Length) return "response too large";
            while (filled < total)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
                if (n == 0) return "connection closed";
                filled += n;
            }
            body = buffer[bodyStart..total];
        }
        else if (HeaderValue(head, "transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            var decoded = new ArrayBufferWriter<byte>();
            var at = bodyStart;
            while (true)
            {
                int lineEnd;
                while ((lineEnd = buffer.AsSpan(at, filled - at).IndexOf("\r\n"u8)) < 0)
                {
                    if (filled == buffer.Length) return "chunk too large";
                    var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
                    if (n == 0) return "connection closed";
                    filled += n;
                }
                var size = Convert.ToInt32(Encoding.ASCII.GetString(buffer, at, lineEnd).Split(';')[0].Trim(), 16);
                at += lineEnd + 2;
                while (filled < at + size + 2)
                {
                    if (at + size + 2 > buffer.Length) return "chunk too large";
                    var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
                    if (n == 0) return "connection closed";
                    filled += n;
                }
                if (size == 0) break;
                decoded.Write(buffer.AsSpan(at, size));
                at += size + 2;
            }
            body = decoded.WrittenSpan.ToArray();
        }
        else
        {
            return $"{status}: no Content-Length and not chunked";
        }
        if (status != "200") return $"{status} {Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}";
        if (mustContain is not null && body.AsSpan().IndexOf(mustContain) < 0) return "200 without the expected content";
        return null;
    }

    private static string? HeaderValue(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }
}
