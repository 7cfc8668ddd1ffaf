using System.Globalization;
using System.Text;

namespace Heartbeat.Benchmarks;

/// <summary>The markdown report: one section per scenario, measured figures next to the issue's targets.</summary>
public sealed class Report(BenchOptions options)
{
    private readonly StringBuilder _body = new();
    private readonly StringBuilder _raw = new();
    private readonly List<string> _failures = [];
    private readonly DateTimeOffset _started = DateTimeOffset.Now;
    private readonly string _loadAtStart = LoadAverage();

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    public bool Failed => _failures.Count > 0;

    private static string N(double value, string format = "N0") => double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);
    private static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString(value < 10 ? "F2" : "F0", CultureInfo.InvariantCulture);
    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB";
    private static string Check(bool ok) => ok ? "met" : "**not met**";

    public void Add(IngestResult r)
    {
        var c = r.Ceiling;
        var i = r.Ingest;
        var inFlight = r.Committed - i.Ok2xx;
        _body.AppendLine($"### Ingest: {r.Machines:N0} machines, wrk -t{options.Threads} -c{options.Connections}, {options.Duration.TotalSeconds:F0} s per run");
        _body.AppendLine();
        _body.AppendLine($"Registering the {r.Machines:N0} machines through the gateway took {r.RegistrationTime.TotalSeconds:F1} s ({r.Machines / r.RegistrationTime.TotalSeconds:N0}/s, {Registration.Parallelism} at a time).");
        _body.AppendLine();
        _body.AppendLine("| figure | ceiling (no-op behind a gateway) | ingest (`POST /api/heartbeat/{id}`) | target | |");
        _body.AppendLine("|---|---:|---:|---|---|");
        _body.AppendLine($"| accepted (2xx) per second | {N(c.OkPerSecond)} | {N(i.OkPerSecond)} | ≥ 10,000/s, read as ≥ 0.67 × ceiling | {Check(r.Ratio >= 0.67)} |");
        _body.AppendLine($"| ratio to the ceiling | 1 | **{N(r.Ratio, "F2")}** | ≥ 0.67 | |");
        _body.AppendLine($"| latency p50 / p99 / p99.9 / max (ms) | {Ms(c.P50Ms)} / {Ms(c.P99Ms)} / {Ms(c.P999Ms)} / {Ms(c.MaxMs)} | {Ms(i.P50Ms)} / {Ms(i.P99Ms)} / {Ms(i.P999Ms)} / {Ms(i.MaxMs)} | p99 ≤ 50 ms | {Check(i.P99Ms <= 50)} |");
        _body.AppendLine($"| errors (non-2xx + socket errors) | {c.Non2xx:N0} + {c.SocketErrors:N0} | {i.Non2xx:N0} + {i.SocketErrors:N0} | 0 | {Check(i.Errors == 0)} |");
        _body.AppendLine($"| 2xx answered / heartbeats committed | – | {i.Ok2xx:N0} / {r.Committed:N0} | equal | {(inFlight == 0 ? "met" : inFlight > 0 && inFlight <= options.Connections ? $"{inFlight} more committed than answered: in flight when wrk stopped (≤ connections)" : "**not met: acknowledged heartbeats missing**")} |");
        _body.AppendLine();
        _body.AppendLine("CPU is % of one core averaged over the run (the box has " + Environment.ProcessorCount + " cores, so 200 % is all of it); RSS is the peak.");
        _body.AppendLine();
        _body.AppendLine("| process | CPU % (ceiling) | peak RSS MiB (ceiling) | CPU % (ingest) | peak RSS MiB (ingest) |");
        _body.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var name in c.Usage.Select(u => u.Name).Union(i.Usage.Select(u => u.Name)))
        {
            var a = c.Usage.FirstOrDefault(u => u.Name == name);
            var b = i.Usage.FirstOrDefault(u => u.Name == name);
            _body.AppendLine($"| {name} | {N(a?.CpuPercent ?? double.NaN)} | {N(a?.PeakRssMb ?? double.NaN)} | {N(b?.CpuPercent ?? double.NaN)} | {N(b?.PeakRssMb ?? double.NaN)} |");
        }
        _body.AppendLine();
        _raw.AppendLine($"--- wrk: {c.Target}\n{c.RawOutput}\n\n--- wrk: {i.Target}\n{i.RawOutput}\n");
    }

    public void Add(StorageResult r)
    {
        var s = r.AfterIngest;
        _body.AppendLine("### Storage");
        _body.AppendLine();
        _body.AppendLine("| figure | value | target | |");
        _body.AppendLine("|---|---:|---|---|");
        _body.AppendLine($"| events in the store / heartbeats stored | {s.Events:N0} / {s.Heartbeats:N0} | | |");
        _body.AppendLine($"| heartbeat events (group commits) and heartbeats per event | {s.HeartbeatEvents:N0}, {N(r.HeartbeatsPerEvent, "F1")} | | |");
        _body.AppendLine($"| `mt_events`: table / indexes / total (with TOAST) | {Mb(s.EventsTable)} / {Mb(s.EventsIndexes)} / {Mb(s.EventsTotal)} | | |");
        _body.AppendLine($"| `mt_streams`: {s.Streams:N0} streams, total | {Mb(s.StreamsTotal)} | | |");
        _body.AppendLine($"| heartbeat event bodies (`pg_column_size(data)`, compressed) per heartbeat | {N(s.Heartbeats == 0 ? double.NaN : (double)s.HeartbeatDataBytes / s.Heartbeats, "F1")} | | |");
        _body.AppendLine($"| **bytes per stored heartbeat** ((mt_events + mt_streams) after ingest − after registration) / heartbeats | **{N(r.BytesPerHeartbeat, "F1")}** | ≤ 100 (moonshot 50) | {Check(r.BytesPerHeartbeat <= 100)} |");
        _body.AppendLine($"| a week of heartbeats every 30 s from {r.Machines:N0} machines, without retention | {N(r.WeekWithoutRetentionGb, "F1")} GB | | projection |");
        if (r.AfterRetention is { } after)
            _body.AppendLine($"| store after a simulated week under retention | {Mb(after.EventsTotal + after.StreamsTotal)} ({after.Events:N0} events, {after.Heartbeats:N0} heartbeats) | | {r.RetentionNote} |");
        else
            _body.AppendLine($"| store after a simulated week under retention | – | | {r.RetentionNote} |");
        _body.AppendLine();
    }

    public void Add(DetectionResult r)
    {
        _body.AppendLine($"### Detection: {r.Machines:N0} machines, {r.Stopped:N0} stop at once (threshold {r.Threshold.TotalSeconds:F0} s, a heartbeat every {r.Interval.TotalSeconds:F1} s)");
        _body.AppendLine();
        _body.AppendLine($"Registration {r.RegistrationTime.TotalSeconds:F1} s; load generator: {N(r.HeartbeatsPerSecond)} heartbeats/s sent in the steady state before the stop, " +
                         $"{r.HeartbeatsSent:N0} in all, {r.HeartbeatErrors:N0} errors{(r.HeartbeatErrors > 0 ? $" (last: `{r.LastHeartbeatError.ReplaceLineEndings(" ")[..Math.Min(160, r.LastHeartbeatError.Length)]}`)" : "")}, " +
                         $"worst send lateness from the steady state on {N(r.MaxSendLatenessMs)} ms (above the threshold minus the interval, a kept machine may rightly look silent). " +
                         $"Detector readiness sampled each second: {r.UnreadySamples} of {r.ReadySamples} samples not ready{(r.UnreadySamples > 0 ? $" (e.g. \"{r.WorstReadiness}\")" : "")}.");
        _body.AppendLine();
        _body.AppendLine("| ms after the deadline (last seen + threshold) | count | p50 | p90 | p99 | max |");
        _body.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, d) in new[] { ("transition appended (commit time of `machine_went_offline`)", r.Transition), ("webhook delivered (received by the harness)", r.Webhook) })
            _body.AppendLine($"| {name} | {d.Count:N0} | {Ms(d.P50)} | {Ms(d.P90)} | {Ms(d.P99)} | {Ms(d.Max)} |");
        _body.AppendLine();
        _body.AppendLine("| figure | value | target | |");
        _body.AppendLine("|---|---:|---|---|");
        if (r.Machines >= 100_000)
            _body.AppendLine($"| p99 (transition − deadline) with {r.Machines:N0} machines | {Ms(r.Transition.P99)} ms | ≤ 1 s | {Check(r.Transition.P99 <= 1000)} |");
        if (r.Stopped >= 10_000)
            _body.AppendLine($"| {r.Stopped:N0} stopping at once: max (transition − deadline) | {Ms(r.Transition.Max)} ms | all within 5 s | {Check(r.Transition.Max <= 5000 && r.TransitionsMissing == 0)} |");
        _body.AppendLine($"| transitions not produced (of {r.Stopped:N0}) | {r.TransitionsMissing:N0} | 0 | {Check(r.TransitionsMissing == 0)} |");
        _body.AppendLine($"| webhooks not delivered within threshold + 70 s | {r.WebhooksMissing:N0} | 0 | {Check(r.WebhooksMissing == 0)} |");
        _body.AppendLine($"| false transitions (machines that kept sending{(r.Stopped == r.Machines ? "; all stopped here, so only transitions before the stop count" : "")}) | {r.FalseTransitions:N0} | 0 | {Check(r.FalseTransitions == 0)} |");
        _body.AppendLine($"| online transitions after the stop / duplicate webhooks | {r.OnlineTransitionsAfterStop:N0} / {r.DuplicateWebhooks:N0} | 0 / 0 | |");
        _body.AppendLine();
        _body.AppendLine("| process | CPU % | peak RSS MiB | target |");
        _body.AppendLine("|---|---:|---:|---|");
        foreach (var u in r.Usage)
        {
            var service = u.Name is "ingest" or "detector" or "notifier" or "gateway";
            _body.AppendLine($"| {u.Name} | {N(u.CpuPercent)} | {N(u.PeakRssMb)} | {(service && r.Machines >= 100_000 ? $"< 300 MB: {Check(u.PeakRssMb * 1.048576 < 300)}" : "")} |");
        }
        _body.AppendLine();
    }

    public void Add(NotifyResult r)
    {
        _body.AppendLine($"### Notify: {r.Machines:N0} machines offline at once, two webhook channels, one dead (threshold {r.Threshold.TotalSeconds:F0} s)");
        _body.AppendLine();
        _body.AppendLine("| ms from the transition's commit to the live channel's webhook | count | p50 | p90 | p99 | max |");
        _body.AppendLine("|---|---:|---:|---:|---:|---:|");
        _body.AppendLine($"| offline webhook received by the harness | {r.Delivery.Count:N0} | {Ms(r.Delivery.P50)} | {Ms(r.Delivery.P90)} | {Ms(r.Delivery.P99)} | {Ms(r.Delivery.Max)} |");
        _body.AppendLine($"| of which: transition → delivery row (publish, broker, consume) | {r.ToRow.Count:N0} | {Ms(r.ToRow.P50)} | {Ms(r.ToRow.P90)} | {Ms(r.ToRow.P99)} | {Ms(r.ToRow.Max)} |");
        _body.AppendLine($"| of which: delivery row → webhook (claim, send, record) | {r.RowToWebhook.Count:N0} | {Ms(r.RowToWebhook.P50)} | {Ms(r.RowToWebhook.P90)} | {Ms(r.RowToWebhook.P99)} | {Ms(r.RowToWebhook.Max)} |");
        _body.AppendLine($"| from the machine's deadline (last heartbeat + threshold), detection included | {r.FromDeadline.Count:N0} | {Ms(r.FromDeadline.P50)} | {Ms(r.FromDeadline.P90)} | {Ms(r.FromDeadline.P99)} | {Ms(r.FromDeadline.Max)} |");
        _body.AppendLine();
        _body.AppendLine("| figure | value | target | |");
        _body.AppendLine("|---|---:|---|---|");
        _body.AppendLine($"| max (live webhook − transition) | {Ms(r.Delivery.Max)} ms | every one within 10 s | {Check(r.Delivery.Max <= 10_000 && r.Missing == 0)} |");
        _body.AppendLine($"| offline transitions since the stop | {r.Delivery.Count + r.Missing:N0} | {r.Machines:N0} | {Check(r.Delivery.Count + r.Missing >= r.Machines)} |");
        _body.AppendLine($"| live webhooks missing within 90 s / duplicated (same episode) | {r.Missing:N0} / {r.Duplicates:N0} | 0 / 0 | {Check(r.Missing == 0 && r.Duplicates == 0)} |");
        _body.AppendLine($"| live deliveries/s (first transition → last webhook) | {N(r.DeliveriesPerSecond)} | | |");
        _body.AppendLine($"| ceiling: plain POSTs/s the harness got into the same receiver | {N(r.CeilingPerSecond)} | | ratio {N(r.DeliveriesPerSecond / r.CeilingPerSecond * 100)} % |");
        _body.AppendLine($"| dead channel: deliveries / attempts made meanwhile | {r.DeadDeliveries:N0} / {r.DeadAttempts:N0} | | |");
        _body.AppendLine();
        _body.AppendLine("| process | CPU % | peak RSS MiB |");
        _body.AppendLine("|---|---:|---:|");
        foreach (var u in r.Usage) _body.AppendLine($"| {u.Name} | {N(u.CpuPercent)} | {N(u.PeakRssMb)} |");
        _body.AppendLine();
    }

    /// <summary>A scenario that renders its own section (the probes scenario).</summary>
    public void AddSection(string markdown) => _body.AppendLine(markdown);

    public void Failure(string scenario, Exception e)
    {
        _failures.Add(scenario);
        _body.AppendLine($"### {scenario}: FAILED");
        _body.AppendLine();
        _body.AppendLine("```");
        _body.AppendLine(e.Message.Length > 3000 ? e.Message[..3000] : e.Message);
        _body.AppendLine("```");
        _body.AppendLine();
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"## Run of {_started:yyyy-MM-dd HH:mm} ({Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0:F0} GiB; PostgreSQL, RabbitMQ, the services, wrk and the harness share the box)");
        text.AppendLine();
        text.AppendLine($"Command: `{options.CommandLine}`{(options.StartsPlatform ? " (its own platform: database and virtual host `" + options.DatabaseName + "`, Release build)" : $" against the running platform at {options.Gateway}")}; took {(DateTimeOffset.Now - _started).TotalMinutes:F1} min.");
        text.AppendLine($"Load average (1, 5, 15 min) at the start: {_loadAtStart}; at the end: {LoadAverage()}. Anything else running on the box (another platform, builds, tests) lowers both the ceiling and the platform's figures.");
        if (Environment.GetEnvironmentVariable("BENCH_ASPNETCORE_LOG_LEVEL") is { Length: > 0 } level)
            text.AppendLine($"Services ran with `Logging__LogLevel__Microsoft.AspNetCore={level}` (BENCH_ASPNETCORE_LOG_LEVEL), unlike scripts/up.");
        var pool = new Npgsql.NpgsqlConnectionStringBuilder(options.Postgres).MaxPoolSize;
        if (pool != 100) text.AppendLine($"PostgreSQL connection pool of each service capped at {pool} (`Maximum Pool Size`), because other clients held much of PostgreSQL's max_connections (100) when the run started.");
        text.AppendLine();
        text.Append(_body);
        if (_raw.Length > 0)
        {
            text.AppendLine("<details><summary>raw wrk output</summary>");
            text.AppendLine();
            text.AppendLine("```");
            text.Append(_raw);
            text.AppendLine("```");
            text.AppendLine();
            text.AppendLine("</details>");
        }
        return text.ToString();
    }

    public async Task WriteAsync()
    {
        var markdown = ToMarkdown();
        Directory.CreateDirectory(Path.GetDirectoryName(options.ReportPath)!);
        await File.WriteAllTextAsync(options.ReportPath, markdown);
        Console.WriteLine(markdown);
        Console.Error.WriteLine($"[bench] report written to {options.ReportPath}");
    }
}
