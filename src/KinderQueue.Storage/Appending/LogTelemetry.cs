using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KinderQueue.Storage.Appending;

/// <summary>Our own traces and metrics; the host subscribes to these names next to ASP.NET Core's and Npgsql's.</summary>
public static class LogTelemetry
{
    public const string Name = "KinderQueue";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Appends = Meter.CreateCounter<long>("kq.log.appends", "{entry}", "Entries appended to the log");
    public static readonly Counter<long> Refusals = Meter.CreateCounter<long>("kq.commands.refused", "{command}", "Commands refused by validation");
    public static readonly Histogram<long> BatchSize = Meter.CreateHistogram<long>("kq.log.batch_size", "{command}", "Commands per group-commit transaction");
    public static readonly Histogram<double> AppendLatency = Meter.CreateHistogram<double>("kq.log.append_latency", "ms", "Time from enqueue to durable commit");
    public static readonly Counter<long> StorageFull = Meter.CreateCounter<long>("kq.log.storage_full", "{batch}",
        "Write batches refused because the database's storage is full (alert on any)");
    public static readonly Counter<long> Rebuilds = Meter.CreateCounter<long>("kq.log.rebuilds", "{rebuild}",
        "Rebuilds of the folded state from the database after a write that did not commit");
    public static readonly Histogram<double> AllocationTime = Meter.CreateHistogram<double>("kq.allocation.duration", "ms", "Time of one allocation round in the engine");
}
