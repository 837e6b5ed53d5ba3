using KinderQueue.Api.Public;

namespace KinderQueue.Api.Hosting;

/// <summary>Services of the public queue API: the projection public reads come from, access-code checks, rate limits, receipts.</summary>
public static class PublicQueueRegistration
{
    /// <summary>Call after the LiveLogHost registration: the projection follows the log that host folds.</summary>
    public static IServiceCollection AddPublicQueue(this IServiceCollection services)
    {
        services.AddSingleton<PublicProjection>();
        services.AddHostedService(sp => sp.GetRequiredService<PublicProjection>());
        services.AddSingleton<AccessCodes>();
        services.AddSingleton<LookupGuard>();
        services.AddSingleton<ReceiptIssuer>();
        return services;
    }
}
