using KinderQueue.Storage;

namespace KinderQueue.Api.Hosting;

/// <summary><c>migrate</c>: applies the embedded migrations with the configured connection and exits.</summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(WebApplication app, TextWriter stdout)
    {
        var store = app.Services.GetRequiredService<ILogStore>();
        await store.MigrateAsync(CancellationToken.None);
        await stdout.WriteLineAsync($"migrations applied ({store.Backend})");
        return 0;
    }
}
