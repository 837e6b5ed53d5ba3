namespace KinderQueue.Api.Hosting;

/// <summary>What a request's Accept-Encoding allows, for the answers the service keeps compressed copies of.</summary>
internal static class AcceptEncoding
{
    /// <summary>True when the client accepts the coding (by name or "*") with a quality above zero.</summary>
    public static bool Accepts(HttpRequest request, string coding) =>
        request.GetTypedHeaders().AcceptEncoding.Any(e =>
            (e.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) || e.Value.Equals("*", StringComparison.Ordinal)) && e.Quality is not 0);
}
