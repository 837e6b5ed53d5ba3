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
        // Witnesses (SPEC.md §11.2b): configured keys are checked at start; submissions never block the log.
        services.AddSingleton<CosignedCheckpoints>();
        services.AddHttpClient(nameof(WitnessSubmitter));
        services.AddSingleton(sp => new WitnessSubmitter(
            [.. options.Witnesses.Select(w => new WitnessClient(w, sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(WitnessSubmitter))))],
            sp.GetRequiredService<CheckpointBoard>(), sp.GetRequiredService<CosignedCheckpoints>(), sp.GetRequiredService<KinderQueue.Storage.Appending.LiveLog>(),
            sp.GetRequiredService<ILogger<WitnessSubmitter>>()));
        services.AddHostedService(sp => sp.GetRequiredService<WitnessSubmitter>());
        // Tiles (SPEC.md §11.7): served from the tree and the store; written into a folder only when one is configured.
        services.AddSingleton<PublicLog.Tiles.LogTiles>();
        if (!string.IsNullOrWhiteSpace(options.Tiles.Directory))
        {
            services.AddSingleton(new PublicLog.Tiles.TileFolder(options.Tiles.Directory));
            services.AddSingleton<PublicLog.Tiles.TileFolderWriter>();
            services.AddHostedService(sp => sp.GetRequiredService<PublicLog.Tiles.TileFolderWriter>());
        }
        return services;
    }
}
