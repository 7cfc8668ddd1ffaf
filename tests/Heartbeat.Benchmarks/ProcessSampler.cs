using System.Diagnostics;

namespace Heartbeat.Benchmarks;

/// <summary>CPU (as % of one core, averaged over the run) and peak RSS of one process or a group of them.</summary>
public sealed record ProcessUsage(string Name, int Processes, double CpuPercent, double PeakRssMb);

/// <summary>
/// Samples /proc every half second while a run lasts: utime+stime from /proc/&lt;pid&gt;/stat and VmRSS from
/// /proc/&lt;pid&gt;/status, per named group of processes (a group's pids are looked up at every sample, so
/// PostgreSQL backends that come and go are included while they live). A group's RSS is the sum over its
/// processes at one sample; for "(all)" groups (PostgreSQL) it is the sum of each process's own pages (RssAnon) plus
/// the largest RssFile (the binary and libraries, mapped by all) and the largest RssShmem (shared buffers), so shared
/// pages count once. (It read Pss from smaps_rollup, which walks every page table: for thirty PostgreSQL processes
/// twice a second that was ~8 % of the box's CPU in a notify run, measured with perf — the harness loading the box it
/// measures.)
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private readonly IReadOnlyList<(string Name, Func<IEnumerable<int>> Pids)> _groups;
    private readonly Dictionary<(string Group, int Pid), (long First, long Last)> _ticks = [];
    private readonly Dictionary<string, (double PeakRssMb, int MaxProcesses)> _peaks = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = new();
    private Task? _loop;

    public ProcessSampler(IReadOnlyList<(string Name, Func<IEnumerable<int>> Pids)> groups) => _groups = groups;

    /// <summary>The usual groups: the platform's services, all postgres processes, RabbitMQ, the harness, and extras.</summary>
    public static ProcessSampler ForPlatform(PlatformProcesses platform, params (string Name, Func<IEnumerable<int>> Pids)[] extra)
    {
        var groups = platform.Pids.Select(p => (p.Key, (Func<IEnumerable<int>>)(() => [p.Value]))).ToList();
        groups.Add(("postgres (all)", () => ByName("postgres")));
        groups.Add(("rabbitmq (beam.smp)", () => ByName("beam.smp")));
        groups.Add(("bench harness (no-op backend, webhook receiver, load generator)", () => [Environment.ProcessId]));
        groups.AddRange(extra);
        return new ProcessSampler(groups);
    }

    /// <summary>
    /// Waits, within <paramref name="bound"/>, until the platform's services together use less than
    /// <paramref name="percent"/> % of a core over two seconds. Registering a fleet leaves tens of seconds of work behind (the
    /// detector reads each new machine's document for its board); measured as part of the ceiling, it would lower the
    /// ceiling for a reason that has nothing to do with it.
    /// </summary>
    public static async Task WaitUntilIdleAsync(PlatformProcesses platform, double percent, TimeSpan bound, CancellationToken ct)
    {
        var until = DateTimeOffset.UtcNow + bound;
        while (true)
        {
            await using var sampler = new ProcessSampler(platform.Pids.Select(p => (p.Key, (Func<IEnumerable<int>>)(() => [p.Value]))).ToList());
            sampler.Start();
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            var busy = (await sampler.StopAsync()).Sum(u => u.CpuPercent);
            if (busy < percent) return;
            if (DateTimeOffset.UtcNow > until)
            {
                Console.Error.WriteLine($"[bench] the services still used {busy:F0} % of a core after {bound.TotalSeconds:F0} s; measuring anyway");
                return;
            }
        }
    }

    public void Start()
    {
        _clock.Start();
        Sample();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Period);
            try { while (await timer.WaitForNextTickAsync(_stop.Token)) Sample(); }
            catch (OperationCanceledException) { }
        });
    }

    public async Task<IReadOnlyList<ProcessUsage>> StopAsync()
    {
        _stop.Cancel();
        if (_loop is not null) await _loop;
        Sample();
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        return _groups.Select(g =>
        {
            var ticks = _ticks.Where(t => t.Key.Group == g.Name).Sum(t => t.Value.Last - t.Value.First);
            var peak = _peaks.GetValueOrDefault(g.Name);
            return new ProcessUsage(g.Name, peak.MaxProcesses, ticks / TicksPerSecond / seconds * 100, peak.PeakRssMb);
        }).ToList();
    }

    private void Sample()
    {
        lock (_ticks)
        {
            foreach (var (name, pids) in _groups)
            {
                double rssKb = 0, sharedKb = 0, filesKb = 0;
                var count = 0;
                var shared = name.Contains("(all)");
                foreach (var pid in pids())
                {
                    if (ReadTicks(pid) is not { } ticks) continue;
                    count++;
                    var memory = ReadMemoryKb(pid);
                    rssKb += shared ? memory.Own : memory.Rss;
                    sharedKb = Math.Max(sharedKb, memory.Shmem);
                    filesKb = Math.Max(filesKb, memory.File);
                    _ticks[(name, pid)] = _ticks.TryGetValue((name, pid), out var seen) ? seen with { Last = ticks } : (ticks, ticks);
                }
                if (shared) rssKb += sharedKb + filesKb;
                var peak = _peaks.GetValueOrDefault(name);
                _peaks[name] = (Math.Max(peak.PeakRssMb, rssKb / 1024), Math.Max(peak.MaxProcesses, count));
            }
        }
    }

    public static IEnumerable<int> ByName(string comm)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string name;
            try { name = File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n'); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            if (name == comm) yield return pid;
        }
    }

    private static long? ReadTicks(int pid)
    {
        try
        {
            // Fields after the ")" that closes the command name: state is field 3, utime 14 and stime 15.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11]) + long.Parse(fields[12]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    /// <summary>From /proc/&lt;pid&gt;/status (cheap to read): VmRSS, the process's own pages (RssAnon), mapped files (RssFile) and shared memory (RssShmem).</summary>
    private static (double Rss, double Own, double File, double Shmem) ReadMemoryKb(int pid)
    {
        double rss = 0, own = 0, file = 0, shmem = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) own = Kb(line);
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = Kb(line);
                else if (line.StartsWith("RssShmem:", StringComparison.Ordinal)) shmem = Kb(line);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return (rss, own, file, shmem);

        static double Kb(string line) => double.Parse(line[(line.IndexOf(':') + 1)..].Trim().Split(' ')[0]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
