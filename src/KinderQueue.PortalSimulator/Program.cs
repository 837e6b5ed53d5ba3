using System.Globalization;

namespace KinderQueue.PortalSimulator;

// dotnet run --project src/KinderQueue.PortalSimulator -- [--port 5090] [--fail-rate 0.5] [--timeout-rate 0] [--garbage-rate 0]
//     [--delay-ms 0] [--token T] [--seed 1]
// Then start the service with --FederalPortal:BaseUrl=http://127.0.0.1:5090/ (README, deploy/FEDERAL-PORTAL.md).
// An explicit entry point: a top-level Program would clash with the service's in the tests, which reference both.
internal static class SimulatorProgram
{
    public static async Task<int> Main(string[] args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"unexpected argument {args[i]}");
                return 2;
            }
            settings[args[i][2..]] = args[i + 1];
        }
        string Get(string name, string fallback) => settings.GetValueOrDefault(name, fallback);
        double Rate(string name) => double.Parse(Get(name, "0"), CultureInfo.InvariantCulture);

        await using var simulator = await PortalSimulator.StartAsync(
            int.Parse(Get("port", "5090"), CultureInfo.InvariantCulture), int.Parse(Get("seed", "1"), CultureInfo.InvariantCulture), settings.GetValueOrDefault("token"));
        simulator.FailureRate = Rate("fail-rate");
        simulator.TimeoutRate = Rate("timeout-rate");
        simulator.GarbageRate = Rate("garbage-rate");
        simulator.Delay = TimeSpan.FromMilliseconds(double.Parse(Get("delay-ms", "0"), CultureInfo.InvariantCulture));
        simulator.Hang = TimeSpan.FromSeconds(10);
        Console.WriteLine($"Portal simulator listening on {simulator.BaseAddress} (fail {simulator.FailureRate:P0}, timeout {simulator.TimeoutRate:P0}, garbage {simulator.GarbageRate:P0})");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        long shown = -1;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (simulator.Received.Count == shown) continue;
            shown = simulator.Received.Count;
            Console.WriteLine($"status updates: {shown} distinct, {simulator.Repeats} repeats dropped, {simulator.Calls} calls, {simulator.FaultsInjected} faults injected");
        }
        return 0;
    }
}
