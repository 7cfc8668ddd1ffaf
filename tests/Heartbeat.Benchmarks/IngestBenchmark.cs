using Heartbeat.Contracts.Http;
using Npgsql;

namespace Heartbeat.Benchmarks;

public sealed record IngestResult(
    int Machines, TimeSpan RegistrationTime, WrkResult Ceiling, WrkResult Ingest, long CommittedBefore, long CommittedAfter, StorageSizes Registered)
{
    public long Committed => CommittedAfter - CommittedBefore;
    public double Ratio => Ingest.OkPerSecond / Ceiling.OkPerSecond;
}

/// <summary>
/// Ingest throughput as a ratio to the box's ceiling, in one run: N machines registered through the gateway,
/// then the same wrk load (rotating machine ids and tokens) first against a no-op endpoint behind a second
/// gateway of the same build (the ceiling), then against POST /api/heartbeat/{id} through the real gateway.
/// Every 2xx must be a stored heartbeat: heartbeats (entries of heartbeats_received events) are counted before and after the run.
/// </summary>
public static class IngestBenchmark
{
    private const int ThresholdSeconds = 3600; // no machine goes offline while the run lasts

    public static async Task<IngestResult> RunAsync(BenchOptions options, PlatformProcesses platform, CancellationToken ct)
    {
        var count = options.Machines ?? 10_000;
        var registering = System.Diagnostics.Stopwatch.StartNew();
        RegisteredMachine[] machines = await Registration.RegisterAsync(platform, count, ThresholdSeconds, null, ct);
        var registrationTime = registering.Elapsed;
        // The store's size with the machines registered and no heartbeat yet, so storage counts heartbeats alone.
        var registered = await StorageBenchmark.MeasureAsync(platform.Database, ct);

        var wrk = new Wrk(options);
        wrk.WriteScript(machines);
        var ceilingGateway = platform.CeilingGateway ?? throw new InvalidOperationException("the ceiling gateway is not running");

        Console.Error.WriteLine($"[bench] warm-up: {options.WarmUp.TotalSeconds:F0} s against the ceiling, then against ingest");
        await wrk.RunAsync("warm-up ceiling", ceilingGateway, "/bench/noop", options.WarmUp, null, ct);
        await wrk.RunAsync("warm-up ingest", platform.Gateway, "", options.WarmUp, null, ct);
        await SettledCountAsync(platform.Database, ct);
        await ProcessSampler.WaitUntilIdleAsync(platform, percent: 15, TimeSpan.FromMinutes(3), ct);

        ProcessSampler Sampler(Func<IEnumerable<int>> wrkPids) => ProcessSampler.ForPlatform(platform, ("wrk", wrkPids));
        Console.Error.WriteLine($"[bench] ceiling: {options.Duration.TotalSeconds:F0} s, -t{options.Threads} -c{options.Connections}, POST {ceilingGateway}bench/noop/api/heartbeat/{{id}}");
        var ceiling = await wrk.RunAsync("ceiling (no-op behind the gateway)", ceilingGateway, "/bench/noop", options.Duration, Sampler, ct);
        Console.Error.WriteLine($"[bench] ceiling: {ceiling.OkPerSecond:N0} 2xx/s, p99 {ceiling.P99Ms:F1} ms, errors {ceiling.Errors}");

        var before = await SettledCountAsync(platform.Database, ct);
        Console.Error.WriteLine($"[bench] ingest: {options.Duration.TotalSeconds:F0} s, POST {platform.Gateway}api/heartbeat/{{id}} over {count:N0} machines");
        var ingest = await wrk.RunAsync("ingest (POST /api/heartbeat through the gateway)", platform.Gateway, "", options.Duration, Sampler, ct);
        var after = await SettledCountAsync(platform.Database, ct);
        Console.Error.WriteLine($"[bench] ingest: {ingest.OkPerSecond:N0} 2xx/s, p99 {ingest.P99Ms:F1} ms, errors {ingest.Errors}, committed {after - before:N0} vs 2xx {ingest.Ok2xx:N0}");
        return new IngestResult(count, registrationTime, ceiling, ingest, before, after, registered);
    }

    public static async Task<long> CountHeartbeatsAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var command = database.CreateCommand(StorageBenchmark.HeartbeatCountSql);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The count once it stops moving: requests in flight when wrk stopped may still be committing.
    /// Polled every half second until two reads agree, for at most 30 s.
    /// </summary>
    private static async Task<long> SettledCountAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        var last = await CountHeartbeatsAsync(database, ct);
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(500, ct);
            var now = await CountHeartbeatsAsync(database, ct);
            if (now == last) return now;
            last = now;
        }
        return last;
    }
}
