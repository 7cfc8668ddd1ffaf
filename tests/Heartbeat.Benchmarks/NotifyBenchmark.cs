using System.Diagnostics;
using System.Net.Http.Json;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Benchmarks;

public sealed record NotifyResult(
    int Machines, TimeSpan Threshold, Distribution Delivery, int Missing, int Duplicates, double DeliveriesPerSecond,
    double CeilingPerSecond, long DeadAttempts, int DeadDeliveries, IReadOnlyList<ProcessUsage> Usage,
    Distribution ToRow, Distribution RowToWebhook, Distribution FromDeadline);

/// <summary>
/// Notification under load with a dead channel: two webhook channels, one whose receiver refuses every connection
/// (127.0.0.1:1) and one live (the harness's receiver). N machines send heartbeats until all stop at one moment; for
/// each offline transition, (live webhook received − commit time of the transition). The ceiling: the same receiver
/// fed by plain POSTs from the harness (64 at once, as many as machines), in the same run. A warm-up outage of a tenth
/// of the fleet comes first (WarmUpAsync).
/// </summary>
public static class NotifyBenchmark
{
    public static async Task<NotifyResult> RunAsync(BenchOptions options, PlatformProcesses platform, WebhookReceiver receiver, int count, CancellationToken ct)
    {
        var threshold = options.Threshold ?? TimeSpan.FromSeconds(20);
        var interval = options.Interval ?? threshold / 3;
        Console.Error.WriteLine($"[bench] notify: {count:N0} machines, threshold {threshold.TotalSeconds:F0} s, all stop at once; one dead channel, one live");

        var ceiling = await CeilingAsync(receiver, count, ct);
        Console.Error.WriteLine($"[bench] ceiling: the receiver took {ceiling:N0} plain POSTs/s from the harness");

        var dead = await platform.Channels.Create(new CreateChannelRequest("dead receiver", "webhook", "http://127.0.0.1:1/hooks", "bench-channel-secret-0123456789abcdef"), ct);
        var live = await platform.Channels.Create(new CreateChannelRequest("bench receiver", "webhook", receiver.Url.ToString(), "bench-channel-secret-0123456789abcdef"), ct);
        if (!dead.IsSuccessStatusCode || !live.IsSuccessStatusCode)
            throw new InvalidOperationException($"creating the channels failed: {dead.StatusCode} {dead.Error?.Message} / {live.StatusCode} {live.Error?.Message}");

        await using var driver = new HeartbeatDriver(platform.Gateway, count, interval, options.Senders);
        driver.Start();
        var machines = await Registration.RegisterAsync(platform, count, (int)Math.Round(threshold.TotalSeconds), driver.Add, ct);
        var bound = DateTimeOffset.UtcNow + interval * 3 + TimeSpan.FromSeconds(30);
        while (driver.SeenCount < count && DateTimeOffset.UtcNow < bound) await Task.Delay(250, ct);
        await Task.Delay(interval, ct);
        await WarmUpAsync(driver, receiver, machines, threshold, ct);

        await using var sampler = ProcessSampler.ForPlatform(platform);
        sampler.Start();
        var stopAt = DateTimeOffset.UtcNow;
        driver.StopMachines(Enumerable.Range(0, count).ToHashSet());
        var ids = machines.Select(m => m.Id).ToHashSet();
        Console.Error.WriteLine($"[bench] stopped all {count:N0} machines at {stopAt:HH:mm:ss.fff}");

        // Every transition committed since the stop (machines that flapped while a loaded box registered the fleet
        // had earlier episodes: those are not part of the measurement), until each has its webhook or 90 s pass.
        var until = stopAt + threshold + TimeSpan.FromSeconds(90);
        Dictionary<Guid, (DateTimeOffset At, DateTimeOffset Deadline)> transitions = [];
        while (DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            transitions = await TransitionTimesAsync(platform, stopAt, ids, threshold, ct);
            var received = transitions.Keys.Count(e => receiver.FirstAtEpisode(e, "machine.offline") is not null);
            Console.Error.WriteLine($"[bench]   +{(DateTimeOffset.UtcNow - stopAt).TotalSeconds:F0} s: {transitions.Count:N0} offline transitions, {received:N0} of their webhooks at the live receiver");
            if (transitions.Count >= count && received >= transitions.Count) break;
        }
        var usage = await sampler.StopAsync();
        var committed = transitions.ToDictionary(t => t.Key, t => t.Value.At);

        var latencies = new List<double>();
        // From the machine's deadline (last heartbeat + threshold): what a user waits, detection included, however the
        // detector splits its appends into transactions.
        var fromDeadline = new List<double>();
        DateTimeOffset? first = null, last = null;
        foreach (var (episode, (at, deadline)) in transitions)
        {
            if (receiver.FirstAtEpisode(episode, "machine.offline") is not { } received) continue;
            latencies.Add((received - at).TotalMilliseconds);
            fromDeadline.Add((received - deadline).TotalMilliseconds);
            first = first is null || at < first ? at : first;
            last = last is null || received > last ? received : last;
        }
        var rate = first is { } f && last is { } l && l > f ? latencies.Count / (l - f).TotalSeconds : double.NaN;

        // Where the time goes: transition → its delivery row for the live channel (the detector's publish, RabbitMQ and
        // the notifier's consume), and row → webhook (claim, send, the receiver).
        var rows = await RowTimesAsync(platform, receiver, committed, ct);
        var toRow = rows.Select(r => (r.Row - committed[r.Episode]).TotalMilliseconds).ToList();
        var rowToWebhook = rows.Where(r => r.Webhook is not null).Select(r => (r.Webhook!.Value - r.Row).TotalMilliseconds).ToList();

        await using var deadCommand = platform.Database.CreateCommand("select coalesce(sum(attempts), 0), count(*) from notifier.deliveries where channel_id = $1");
        deadCommand.Parameters.AddWithValue(dead.Content!.Id);
        await using var reader = await deadCommand.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var deadAttempts = reader.GetInt64(0);
        var deadDeliveries = (int)reader.GetInt64(1);

        return new NotifyResult(count, threshold, Distribution.Of(latencies), committed.Count - latencies.Count, receiver.EpisodeDuplicates, rate, ceiling, deadAttempts, deadDeliveries, usage,
            Distribution.Of(toRow), Distribution.Of(rowToWebhook), Distribution.Of(fromDeadline));
    }

    /// <summary>
    /// An outage of a tenth of the fleet, told and ended, before the measured one: the platform met in service has been
    /// through outages before. Freshly started, the services spend much of the first burst compiling the code it takes
    /// (perf during a cold run: the JIT took ~25 % of the box, most of the detector's CPU) — a cost each process pays
    /// once, not per outage. The dead channel's circuit opens here too, as it would have for a receiver that is down.
    /// </summary>
    private static async Task WarmUpAsync(HeartbeatDriver driver, WebhookReceiver receiver, IReadOnlyList<RegisteredMachine> machines, TimeSpan threshold, CancellationToken ct)
    {
        var warm = Enumerable.Range(0, Math.Max(1, machines.Count / 10)).ToList();
        Console.Error.WriteLine($"[bench] warm-up: {warm.Count:N0} machines go offline and come back");
        driver.StopMachines(warm);
        await UntilAsync(() => warm.Count(i => receiver.FirstAt(machines[i].Id, "machine.offline") is not null) >= warm.Count, threshold + TimeSpan.FromSeconds(90), ct);
        driver.ResumeMachines(warm);
        await UntilAsync(() => warm.Count(i => receiver.FirstAt(machines[i].Id, "machine.online") is not null) >= warm.Count, TimeSpan.FromSeconds(90), ct);
        // Time for the runtime to finish compiling what the outage made hot (tier-up runs in the background): a pause, not a wait for an event.
        await Task.Delay(TimeSpan.FromSeconds(15), ct);
    }

    private static async Task UntilAsync(Func<bool> done, TimeSpan bound, CancellationToken ct)
    {
        var until = DateTimeOffset.UtcNow + bound;
        while (!done())
        {
            if (DateTimeOffset.UtcNow > until) throw new TimeoutException($"the warm-up outage was not told within {bound.TotalSeconds:F0} s");
            await Task.Delay(250, ct);
        }
    }

    /// <summary>Plain POSTs of a webhook-sized body, 64 at once: how fast the receiver and the box take them without the platform.</summary>
    private static async Task<double> CeilingAsync(WebhookReceiver receiver, int count, CancellationToken ct)
    {
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, async (i, token) =>
        {
            using var response = await http.PostAsJsonAsync(receiver.Url, new
            {
                @event = "ceiling",
                machine = new { id = Guid.NewGuid(), name = $"ceiling-{i}", hostname = "ceiling.bench.test", description = "", status = "offline", last_seen = DateTimeOffset.UtcNow },
                episode_id = Guid.NewGuid(),
                occurred_at = DateTimeOffset.UtcNow,
            }, token);
        });
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Each measured episode's live-channel delivery row: when it was created, and when its webhook arrived.</summary>
    private static async Task<List<(Guid Episode, DateTimeOffset Row, DateTimeOffset? Webhook)>> RowTimesAsync(
        PlatformProcesses platform, WebhookReceiver receiver, Dictionary<Guid, DateTimeOffset> committed, CancellationToken ct)
    {
        await using var command = platform.Database.CreateCommand(
            "select episode_id, min(created_at) from notifier.deliveries where kind = 'offline' and episode_id = any($1) group by episode_id");
        command.Parameters.AddWithValue(committed.Keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<(Guid, DateTimeOffset, DateTimeOffset?)>();
        while (await reader.ReadAsync(ct))
        {
            var episode = reader.GetGuid(0);
            rows.Add((episode, reader.GetFieldValue<DateTimeOffset>(1), receiver.FirstAtEpisode(episode, "machine.offline")));
        }
        return rows;
    }

    /// <summary>Episode → time of its offline transition and the deadline it judged (last seen + threshold), for the bench's machines, since the stop.</summary>
    private static async Task<Dictionary<Guid, (DateTimeOffset At, DateTimeOffset Deadline)>> TransitionTimesAsync(PlatformProcesses platform, DateTimeOffset since,
        HashSet<Guid> machines, TimeSpan threshold, CancellationToken ct)
    {
        await using var command = platform.Database.CreateCommand(
            "select data->>'MachineId', data->>'EpisodeId', timestamp, coalesce((data->>'LastSeenAt')::timestamptz + $2, timestamp) " +
            "from heartbeat_events.mt_events where type = 'machine_went_offline' and timestamp >= $1");
        command.Parameters.AddWithValue(since);
        command.Parameters.AddWithValue(threshold);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var times = new Dictionary<Guid, (DateTimeOffset, DateTimeOffset)>();
        while (await reader.ReadAsync(ct))
            if (machines.Contains(Guid.Parse(reader.GetString(0))))
                times[Guid.Parse(reader.GetString(1))] = (reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3));
        return times;
    }
}
