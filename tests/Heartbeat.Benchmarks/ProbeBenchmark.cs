using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Benchmarks;

/// <summary>
/// The prober at scale: N machines (10,000) registered through the gateway with a tcp probe every 30 s against
/// local listeners in this harness, then two whole intervals measured: connections the listeners accepted (the
/// probes run), probe heartbeats committed to the store, how evenly the probes spread over each second, how many
/// machines were probed and how many show online, and the CPU of the prober and the rest.
/// </summary>
public static class ProbeBenchmark
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private const int Listeners = 4;

    public static async Task<string> RunAsync(BenchOptions options, PlatformProcesses platform, CancellationToken ct)
    {
        var count = options.Machines ?? 10_000;
        using var listeners = new AcceptCounter(Listeners);
        var registering = Stopwatch.StartNew();
        await Registration.RegisterAsync(platform, count, thresholdSeconds: 120, null, ct,
            i => new ProbeRequest("tcp", Host: "127.0.0.1", Port: listeners.Ports[i % Listeners], IntervalSeconds: (int)Interval.TotalSeconds, TimeoutSeconds: 5));
        registering.Stop();

        // One whole interval after the last registration, every machine has had its first probe.
        await Task.Delay(Interval, ct);
        var window = Interval * 2;
        Console.Error.WriteLine($"[bench] measuring {count:N0} tcp probes every {Interval.TotalSeconds:F0} s for {window.TotalSeconds:F0} s");
        var fromSequence = await ScalarAsync<long>(platform, "select coalesce(max(seq_id), 0) from heartbeat_events.mt_events", ct);
        var acceptedBefore = listeners.Accepted;
        var perSecond = new List<long>();
        await using var sampler = ProcessSampler.ForPlatform(platform);
        sampler.Start();
        var clock = Stopwatch.StartNew();
        var last = acceptedBefore;
        using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1)))
        {
            while (clock.Elapsed < window && await timer.WaitForNextTickAsync(ct))
            {
                var now = listeners.Accepted;
                perSecond.Add(now - last);
                last = now;
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var accepted = listeners.Accepted - acceptedBefore;
        var usage = await sampler.StopAsync();
        // Committed within the window plus a moment for the last batch; counted from the store, not from the prober.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var (stored, distinct) = await ProbeHeartbeatsAsync(platform, fromSequence, ct);
        var statuses = new List<MachineView>();
        for (string? cursor = null; ;)
        {
            var page = (await platform.Machines.List(cursor: cursor, limit: 1_000, ct: ct)).Content;
            if (page is null) break;
            statuses.AddRange(page.Machines);
            if ((cursor = page.NextCursor) is null) break;
        }
        var online = statuses.Count(m => m.Status == "online");
        var failed = statuses.Count(m => m.LastProbeError is not null);

        var expectedPerSecond = count / Interval.TotalSeconds;
        var mean = perSecond.Count > 0 ? perSecond.Average() : double.NaN;
        var text = new StringBuilder();
        text.AppendLine($"### Probes: {count:N0} machines, tcp every {Interval.TotalSeconds:F0} s (timeout 5 s) against {Listeners} local listeners, {window.TotalSeconds:F0} s measured");
        text.AppendLine();
        text.AppendLine($"Registering the {count:N0} probed machines through the gateway took {registering.Elapsed.TotalSeconds:F1} s; the measurement starts one interval after the last.");
        text.AppendLine();
        text.AppendLine("| figure | value | expected | |");
        text.AppendLine("|---|---:|---|---|");
        text.AppendLine($"| probes run (connections accepted) per second | {F(accepted / seconds)} | {F(expectedPerSecond)} ({count:N0} / {Interval.TotalSeconds:F0} s) | {Check(accepted / seconds >= expectedPerSecond * 0.95)} |");
        text.AppendLine($"| probe heartbeats committed per second | {F(stored / seconds)} | the same | {Check(stored / seconds >= expectedPerSecond * 0.95)} |");
        text.AppendLine($"| machines probed in the window | {distinct:N0} | {count:N0} | {Check(distinct == count)} |");
        text.AppendLine($"| probes per second: min / mean / max over the window's seconds | {perSecond.DefaultIfEmpty().Min():N0} / {F(mean)} / {perSecond.DefaultIfEmpty().Max():N0} | spread evenly (max ≤ 1.5 × mean) | {Check(perSecond.Count > 0 && perSecond.Max() <= mean * 1.5)} |");
        text.AppendLine($"| machines online at the end / with a probe error | {online:N0} / {failed:N0} | {count:N0} / 0 | {Check(online == count && failed == 0)} |");
        text.AppendLine();
        text.AppendLine("| process | CPU % of one core | peak RSS MiB |");
        text.AppendLine("|---|---:|---:|");
        foreach (var u in usage) text.AppendLine($"| {u.Name} | {F(u.CpuPercent)} | {F(u.PeakRssMb)} |");
        text.AppendLine();
        return text.ToString();
    }

    private static string F(double value) => double.IsNaN(value) ? "–" : value.ToString("N0", CultureInfo.InvariantCulture);
    private static string Check(bool ok) => ok ? "met" : "**not met**";

    private static async Task<T> ScalarAsync<T>(PlatformProcesses platform, string sql, CancellationToken ct)
    {
        await using var command = platform.Database.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<(long Stored, long Machines)> ProbeHeartbeatsAsync(PlatformProcesses platform, long fromSequence, CancellationToken ct)
    {
        await using var command = platform.Database.CreateCommand("""
            select count(*), count(distinct h->>'m')
            from heartbeat_events.mt_events e, jsonb_array_elements(e.data->'Heartbeats') h
            where e.seq_id > $1 and e.type = 'heartbeats_received' and h->>'src' = 'Probe'
            """);
        command.Parameters.AddWithValue(fromSequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Loopback listeners that accept every connection, count it and close it.</summary>
    private sealed class AcceptCounter : IDisposable
    {
        private readonly List<TcpListener> _listeners = [];
        private readonly CancellationTokenSource _stop = new();
        private long _accepted;

        public AcceptCounter(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start(backlog: 1024);
                _listeners.Add(listener);
                _ = AcceptAsync(listener);
            }
            Ports = _listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }

        public int[] Ports { get; }
        public long Accepted => Interlocked.Read(ref _accepted);

        private async Task AcceptAsync(TcpListener listener)
        {
            try
            {
                while (true)
                {
                    using var socket = await listener.AcceptSocketAsync(_stop.Token);
                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        }

        public void Dispose()
        {
            _stop.Cancel();
            foreach (var l in _listeners) l.Stop();
        }
    }
}
