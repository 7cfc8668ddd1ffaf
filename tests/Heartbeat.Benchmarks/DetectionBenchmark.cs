using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Benchmarks;

/// <summary>Milliseconds: count and nearest-rank percentiles.</summary>
public sealed record Distribution(int Count, double P50, double P90, double P99, double Max)
{
    public static Distribution Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return new Distribution(0, double.NaN, double.NaN, double.NaN, double.NaN);
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Distribution(sorted.Length, At(50), At(90), At(99), sorted[^1]);
    }
}

public sealed record DetectionResult(
    int Machines, int Stopped, TimeSpan Threshold, TimeSpan Interval, TimeSpan RegistrationTime,
    Distribution Transition, Distribution Webhook, int TransitionsMissing, int WebhooksMissing, int FalseTransitions,
    int OnlineTransitionsAfterStop, int DuplicateWebhooks,
    long HeartbeatsSent, long HeartbeatErrors, string LastHeartbeatError, double HeartbeatsPerSecond, double MaxSendLatenessMs,
    int ReadySamples, int UnreadySamples, string WorstReadiness, IReadOnlyList<ProcessUsage> Usage);

/// <summary>
/// Detection latency: T machines registered with one threshold, each sending every interval from a load
/// generator inside the harness; once all are online, S of them stop at one moment while the rest keep
/// going. After threshold + 10 s the transitions are read back from the event store: for each
/// MachineWentOffline of the stopped batch, (commit time of the transition − deadline) and (webhook received −
/// deadline), with deadline = LastSeenAt + Threshold as stored in the event. Any offline transition of a
/// machine that kept sending is false.
/// </summary>
public static class DetectionBenchmark
{
    public static async Task<DetectionResult> RunAsync(BenchOptions options, PlatformProcesses platform, WebhookReceiver receiver, int count, CancellationToken ct)
    {
        var threshold = options.Threshold ?? (count >= 50_000 ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(20));
        var interval = options.Interval ?? threshold / 3;
        var stopCount = Math.Min(options.Stop, count);
        Console.Error.WriteLine($"[bench] detection: {count:N0} machines, threshold {threshold.TotalSeconds:F0} s, a heartbeat every {interval.TotalSeconds:F1} s " +
                                $"(~{count / interval.TotalSeconds:N0}/s), {stopCount:N0} stop at once");

        var channel = await platform.Channels.Create(new CreateChannelRequest("bench receiver", "webhook", receiver.Url.ToString(), "bench-channel-secret-0123456789abcdef"), ct);
        if (!channel.IsSuccessStatusCode) throw new InvalidOperationException($"creating the webhook channel failed: {channel.StatusCode} {channel.Error?.Message}");

        await using var driver = new HeartbeatDriver(platform.Gateway, count, interval, options.Senders);
        driver.Start();
        var registering = Stopwatch.StartNew();
        var machines = await Registration.RegisterAsync(platform, count, (int)Math.Round(threshold.TotalSeconds), driver.Add, ct);
        var registrationTime = registering.Elapsed;

        // Steady state: every machine has had a heartbeat accepted, then one more full interval.
        var bound = DateTimeOffset.UtcNow + interval * 3 + TimeSpan.FromSeconds(30);
        while (driver.SeenCount < count && DateTimeOffset.UtcNow < bound) await Task.Delay(250, ct);
        if (driver.SeenCount < count)
            Console.Error.WriteLine($"[bench] only {driver.SeenCount:N0} of {count:N0} machines had a heartbeat accepted (last error: {driver.LastError})");
        driver.ResetLateness();
        var steadySent = driver.Sent;
        var steady = Stopwatch.StartNew();
        await Task.Delay(interval, ct); // one full interval of steady state: every machine sends once
        var heartbeatsPerSecond = (driver.Sent - steadySent) / steady.Elapsed.TotalSeconds;

        await using var sampler = ProcessSampler.ForPlatform(platform);
        sampler.Start();
        using var readinessStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var readiness = SampleReadinessAsync(platform, readinessStop.Token);

        // Stop a batch spread over the fleet, all at one moment.
        var step = (double)count / stopCount;
        var stopped = Enumerable.Range(0, stopCount).Select(k => (int)(k * step)).ToHashSet();
        var stoppedIds = stopped.Select(i => machines[i].Id).ToHashSet();
        var ours = machines.Select(m => m.Id).ToHashSet(); // with --gateway the store may hold earlier runs' machines
        var stopAt = DateTimeOffset.UtcNow;
        driver.StopMachines(stopped);
        Console.Error.WriteLine($"[bench] stopped {stopCount:N0} machines at {stopAt:HH:mm:ss.fff}; waiting {threshold.TotalSeconds + 10:F0} s");

        var until = stopAt + threshold + TimeSpan.FromSeconds(10);
        while (DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(TimeSpan.FromSeconds(5) < until - DateTimeOffset.UtcNow ? TimeSpan.FromSeconds(5) : until - DateTimeOffset.UtcNow, ct);
            Console.Error.WriteLine($"[bench]   +{(DateTimeOffset.UtcNow - stopAt).TotalSeconds:F0} s: {receiver.Count("machine.offline"):N0} offline webhooks received, " +
                                    $"{driver.Ok:N0} heartbeats accepted, {driver.Errors:N0} errors, max send lateness {driver.MaxLatenessMs:F0} ms");
        }

        // Webhooks may trail the transitions: wait (at most 60 s more) until every stopped machine that has a
        // transition in the store also has its webhook, so the webhook distribution is complete.
        var webhookBound = DateTimeOffset.UtcNow.AddSeconds(60);
        while (DateTimeOffset.UtcNow < webhookBound)
        {
            var transitions = (await ReadOfflineTransitionsAsync(platform, ct)).Where(t => stoppedIds.Contains(t.MachineId)).Select(t => t.MachineId).Distinct().ToList();
            var pending = transitions.Count(id => receiver.FirstAt(id, "machine.offline") is null);
            if (pending == 0) break;
            Console.Error.WriteLine($"[bench]   waiting for {pending:N0} webhooks of {transitions.Count:N0} transitions");
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
        var usage = await sampler.StopAsync();
        readinessStop.Cancel();
        var (readySamples, unready, worst) = await readiness;

        var offline = await ReadOfflineTransitionsAsync(platform, ct);
        var transition = new List<double>();
        var webhook = new List<double>();
        var falseTransitions = 0;
        var detected = new HashSet<Guid>();
        foreach (var t in offline.Where(t => ours.Contains(t.MachineId)))
        {
            if (!stoppedIds.Contains(t.MachineId) || t.CommittedAt < stopAt) { falseTransitions++; continue; }
            if (!detected.Add(t.MachineId)) continue;
            var deadline = t.LastSeenAt + t.Threshold;
            transition.Add((t.CommittedAt - deadline).TotalMilliseconds);
            if (receiver.FirstAt(t.MachineId, "machine.offline") is { } received) webhook.Add((received - deadline).TotalMilliseconds);
        }
        var online = await CountAsync(platform, "select count(*) from heartbeat_events.mt_events where type = 'machine_went_online' and timestamp >= $1", stopAt, ct);

        return new DetectionResult(count, stopCount, threshold, interval, registrationTime,
            Distribution.Of(transition), Distribution.Of(webhook), stopCount - detected.Count, detected.Count - webhook.Count, falseTransitions,
            (int)online, receiver.Duplicates, driver.Sent, driver.Errors, driver.LastError, heartbeatsPerSecond, driver.MaxLatenessMs,
            readySamples, unready, worst, usage);
    }

    private sealed record OfflineTransition(Guid MachineId, DateTimeOffset LastSeenAt, TimeSpan Threshold, DateTimeOffset CommittedAt);

    private static async Task<List<OfflineTransition>> ReadOfflineTransitionsAsync(PlatformProcesses platform, CancellationToken ct)
    {
        await using var command = platform.Database.CreateCommand("""
            select data->>'MachineId', data->>'LastSeenAt', data->>'Threshold', timestamp
            from heartbeat_events.mt_events where type = 'machine_went_offline' order by seq_id
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<OfflineTransition>();
        while (await reader.ReadAsync(ct))
        {
            // A machine never seen has no LastSeenAt: it cannot be one of the stopped batch (all were seen first).
            var lastSeen = reader.IsDBNull(1) ? DateTimeOffset.MinValue : DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture);
            list.Add(new OfflineTransition(Guid.Parse(reader.GetString(0)), lastSeen,
                TimeSpan.Parse(reader.GetString(2), CultureInfo.InvariantCulture), reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return list;
    }

    private static async Task<long> CountAsync(PlatformProcesses platform, string sql, DateTimeOffset since, CancellationToken ct)
    {
        await using var command = platform.Database.CreateCommand(sql);
        command.Parameters.AddWithValue(since);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The detector's readiness every second: its `detection` check turns unhealthy when it reads heartbeats &gt; 10 s behind.</summary>
    private static async Task<(int Samples, int Unready, string Worst)> SampleReadinessAsync(PlatformProcesses platform, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = platform.Detector, Timeout = TimeSpan.FromSeconds(5) };
        int samples = 0, unready = 0;
        var worst = "";
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(ct))
            {
                samples++;
                try
                {
                    using var response = await http.GetAsync("/health/ready", ct);
                    if (response.IsSuccessStatusCode) continue;
                    unready++;
                    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                    worst = json.RootElement.TryGetProperty("checks", out var checks) && checks.TryGetProperty("detection", out var detection)
                        ? detection.GetProperty("description").GetString() ?? "" : json.RootElement.ToString();
                }
                catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    unready++;
                    worst = e.Message;
                }
            }
        }
        catch (OperationCanceledException) { }
        return (samples, unready, worst);
    }
}
