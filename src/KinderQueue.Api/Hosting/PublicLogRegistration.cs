using KinderQueue.Api.PublicLog;

namespace KinderQueue.Api.Hosting;

/// <summary>Services of the public log API: the checkpoint key, the latest checkpoint and its issuer.</summary>
public static class PublicLogRegistration
{
    /// <summary>
    /// Call after the LiveLogHost registration: hosted services start in order, and the issuer signs
    /// its first checkpoint while starting, from the log that host has folded.
    /// </summary>
    public static IServiceCollection AddPublicLog(this IServiceCollection services, KinderQueueOptions options)
    {
        // Loaded when the issuer starts, so `migrate` and `token` never touch the key.
        services.AddSingleton(_ => CheckpointSigner.Load(options));
        services.AddSingleton<CheckpointBoard>();
        // One instance: receipts ask it for an early checkpoint.
        services.AddSingleton<CheckpointIssuer>();
        services.AddHostedService(sp => sp.GetRequiredService<CheckpointIssuer>());
        return services;
    }
}
