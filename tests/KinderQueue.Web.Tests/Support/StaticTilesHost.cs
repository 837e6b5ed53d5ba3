using System.Net;

namespace KinderQueue.Web.Tests.Support;

/// <summary>
/// A plain static file host on 127.0.0.1 standing in for the CDN a department publishes its tiles on
/// (SPEC.md §11.7): GET serves files under <see cref="Root"/> as bytes, 404 for anything else, with the
/// CORS header a public tiles host sends so that the check page, on another origin, may read them.
/// </summary>
internal sealed class StaticTilesHost : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private int _requests;

    private StaticTilesHost(string root, int port)
    {
        Root = root;
        Origin = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Origin + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Root { get; }

    /// <summary>scheme://host:port, as the service's TilesOrigins setting lists it.</summary>
    public string Origin { get; }

    /// <summary>Requests answered so far (a test can tell the page did read the tiles from here).</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static StaticTilesHost Start(string root) => new(root, DemoService.FreePort());

    /// <summary>The URL of <paramref name="folder"/> under the root, ending in '/': a tiles prefix.</summary>
    public string UrlOf(string folder) => $"{Origin}/{folder.Trim('/')}/";

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            Interlocked.Increment(ref _requests);
            try
            {
                await AnswerAsync(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // The browser went away mid-answer.
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        response.Headers["Access-Control-Allow-Origin"] = "*";
        if (context.Request.HttpMethod == "OPTIONS")
        {
            response.Headers["Access-Control-Allow-Methods"] = "GET";
            response.Headers["Access-Control-Allow-Headers"] = "*";
            response.StatusCode = 204;
            return;
        }
        var relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath).TrimStart('/');
        var file = Path.GetFullPath(Path.Combine(Root, relative));
        var inside = file.StartsWith(Path.GetFullPath(Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (context.Request.HttpMethod != "GET" || !inside || !File.Exists(file))
        {
            response.StatusCode = (int)HttpStatusCode.NotFound;
            return;
        }
        var bytes = await File.ReadAllBytesAsync(file);
        response.ContentType = relative.EndsWith("checkpoint", StringComparison.Ordinal) ? "text/plain; charset=utf-8" : "application/octet-stream";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
