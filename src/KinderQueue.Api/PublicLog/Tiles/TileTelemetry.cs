using System.Diagnostics.Metrics;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.PublicLog.Tiles;

/// <summary>
/// Metrics of the tiles folder, on the service's meter (<see cref="LogTelemetry.Name"/>): files written,
/// failed attempts (alert when they go on: the folder falls behind the log), and the size of the
/// checkpoint the folder holds.
/// </summary>
public static class TileTelemetry
{
    private static readonly Meter Meter = new(LogTelemetry.Name);
    private static long _publishedSize = -1;

    public static readonly Counter<long> Written = Meter.CreateCounter<long>("kq.tiles.written", "{file}",
        "Tiles, entry bundles and checkpoints written into the tiles folder");

    public static readonly Counter<long> Failures = Meter.CreateCounter<long>("kq.tiles.failures", "{attempt}",
        "Attempts to bring the tiles folder up to the latest checkpoint that failed (each is retried)");

    private static readonly ObservableGauge<long> PublishedSize = Meter.CreateObservableGauge("kq.tiles.checkpoint_size",
        () => Interlocked.Read(ref _publishedSize) is var size and >= 0 ? [new Measurement<long>(size)] : Array.Empty<Measurement<long>>(),
        "{entry}", "Size of the checkpoint last written into the tiles folder");

    internal static void Published(long size) => Interlocked.Exchange(ref _publishedSize, size);
}
