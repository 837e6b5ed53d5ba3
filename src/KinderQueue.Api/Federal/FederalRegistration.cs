using KinderQueue.Storage;
using KinderQueue.Storage.Federal;
using NodaTime;

namespace KinderQueue.Api.Federal;

/// <summary>The federal portal link's services: options, link state, client and the outbox worker.</summary>
public static class FederalRegistration
{
    public static IServiceCollection AddFederalPortal(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(FederalPortalOptions.Section).Get<FederalPortalOptions>() ?? new FederalPortalOptions();
        services.AddSingleton(options);
        services.AddSingleton(new PortalLinkState(!string.IsNullOrWhiteSpace(options.BaseUrl)));
        // Both stores keep the federal tables (migration 006).
        services.AddSingleton(sp => (IFederalStore)sp.GetRequiredService<ILogStore>());
        services.AddSingleton(_ =>
        {
            var baseUrl = string.IsNullOrWhiteSpace(options.BaseUrl) ? "http://portal.invalid/" : options.BaseUrl.TrimEnd('/') + "/";
            // No client-wide timeout: the pipeline's per-try timeout governs, so a slow portal costs one try, not the worker.
            var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            {
                BaseAddress = new Uri(baseUrl),
                Timeout = Timeout.InfiniteTimeSpan,
            };
            return new PortalClient(http, options);
        });
        services.AddHostedService(sp => new OutboxWorker(sp.GetRequiredService<IFederalStore>(), sp.GetRequiredService<PortalClient>(),
            PortalClient.Pipeline(options, sp.GetRequiredService<PortalLinkState>()), sp.GetRequiredService<PortalLinkState>(), options,
            sp.GetRequiredService<IClock>(), sp.GetRequiredService<ILogger<OutboxWorker>>()));
        return services;
    }
}
