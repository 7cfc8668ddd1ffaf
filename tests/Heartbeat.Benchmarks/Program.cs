using System.Runtime.InteropServices;
using Heartbeat.Benchmarks;

// The benchmark harness: `ingest`, `detection`, `storage`, `notify` or `all`; see docs/benchmarks.md. Run it through
// scripts/bench, which starts PostgreSQL and RabbitMQ, builds Release and writes the report into the docs.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; cancel.Cancel(); });
var ct = cancel.Token;
var report = new Report(options);

if (options.Command is "ingest" or "storage" or "all")
{
    try
    {
        await using var noop = new NoopBackend();
        await noop.StartAsync(ct);
        await using var platform = await PlatformProcesses.StartAsync(options, withCeilingGateway: true, ct);
        var ingest = await IngestBenchmark.RunAsync(options, platform, ct);
        report.Add(ingest);
        if (options.Command is "storage" or "all") report.Add(await StorageBenchmark.RunAsync(options, platform, ingest.Machines, ingest.Registered, ct));
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"[bench] ingest {(ct.IsCancellationRequested ? "cancelled" : "failed")}: {e}");
        report.Failure("Ingest", e);
    }
}

if (options.Command is "detection" or "all")
{
    int[] fleets = options.Machines is { } machines ? [machines] : options.Command == "all" ? [10_000, 100_000] : [10_000];
    foreach (var count in fleets)
    {
        if (ct.IsCancellationRequested) break;
        try
        {
            // A fresh platform per fleet, so nothing left from the previous scenario goes offline during this one.
            await using var receiver = new WebhookReceiver();
            await receiver.StartAsync(ct);
            await using var platform = await PlatformProcesses.StartAsync(options, withCeilingGateway: false, ct);
            report.Add(await DetectionBenchmark.RunAsync(options, platform, receiver, count, ct));
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"[bench] detection with {count:N0} machines failed: {e}");
            report.Failure($"Detection ({count:N0} machines)", e);
        }
    }
}

if (options.Command is "notify")
{
    try
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync(ct);
        await using var platform = await PlatformProcesses.StartAsync(options, withCeilingGateway: false, ct);
        report.Add(await NotifyBenchmark.RunAsync(options, platform, receiver, options.Machines ?? 10_000, ct));
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"[bench] notify {(ct.IsCancellationRequested ? "cancelled" : "failed")}: {e}");
        report.Failure("Notify", e);
    }
}

if (options.Command is "probes")
{
    try
    {
        await using var platform = await PlatformProcesses.StartAsync(options, withCeilingGateway: false, ct, withProber: true);
        report.AddSection(await ProbeBenchmark.RunAsync(options, platform, ct));
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"[bench] probes {(ct.IsCancellationRequested ? "cancelled" : "failed")}: {e}");
        report.Failure("Probes", e);
    }
}

await report.WriteAsync();
return report.Failed || ct.IsCancellationRequested ? 1 : 0;
