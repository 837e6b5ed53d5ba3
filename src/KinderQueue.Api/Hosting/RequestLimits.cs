using KinderQueue.Api.Endpoints;
using Microsoft.AspNetCore.Http.Features;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// Refuses an oversize body with a 413 problem before any handler reads it, whatever server
/// hosts the app (Kestrel enforces its own limit too; the test server does not). Capacity files
/// have a larger limit than JSON commands.
/// </summary>
public sealed class RequestLimits(RequestDelegate next, KinderQueueOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.Request.Path.StartsWithSegments("/api/v1/capacity", StringComparison.Ordinal)
            ? options.MaxCapacityCsvBytes
            : options.MaxRequestBytes;
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = limit;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await ApiProblems.TooLarge(limit).ExecuteAsync(context);
            return;
        }
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            // A chunked body that grew past the limit while being read.
            context.Response.Clear();
            await ApiProblems.TooLarge(limit).ExecuteAsync(context);
        }
    }
}
