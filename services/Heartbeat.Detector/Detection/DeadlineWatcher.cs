using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;
using Heartbeat.ServiceDefaults;
using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector.Detection;

/// <summary>
/// Wakes every <see cref="DetectorOptions.Tick"/> while this instance leads, takes the machines whose deadline has
/// passed and appends <see cref="MachineWentOffline"/> to each one's stream, with the stream version it expects:
/// if anything was appended meanwhile (say a transition written just before a restart and not yet read back), the
/// append is refused and the machine is judged again once the tracker has caught up. Silence counts only up to
/// what the tracker has read and what the canary proves intake delivered (<see cref="IntakeMonitor"/>).
/// </summary>
public sealed class DeadlineWatcher(
    Fleet fleet,
    IntakeMonitor intake,
    ReadAhead readAhead,
    Leadership.Leadership leadership,
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    TimeProvider clock,
    IOptions<DetectorOptions> options,
    ILogger<DeadlineWatcher> logger)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(5);
    private const int AppendChunk = 500;
    private readonly Queue<(DateTimeOffset ObservedAt, long Sequence)> _highWaterMarks = new();

    /// <summary>Judges until <paramref name="ct"/> ends the leadership term. Survives any error of the store: logs, backs off, tries again.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        _highWaterMarks.Clear();
        await fleet.Loaded.WaitAsync(ct);
        using var timer = new PeriodicTimer(options.Value.Tick, clock);
        var failures = 0;
        do
        {
            try
            {
                await intake.TickAsync(store, ct);
                await JudgeAsync(ct);
                if (failures > 0) logger.LogInformation("Judging deadlines works again after {Failures} failed ticks", failures);
                failures = 0;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Marten wraps the driver's errors in its own types (MartenCommandException and others), so anything the
                // store throws lands here; machines taken off the queue were put back before this was thrown.
                failures++;
                var backOff = TimeSpan.FromMilliseconds(Math.Min(MaxBackOff.TotalMilliseconds, options.Value.Tick.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 10))));
                logger.LogWarning("Judging deadlines failed ({Error}); trying again in {BackOff}", e.Message, backOff);
                await Task.Delay(backOff, clock, ct);
            }
        } while (await timer.WaitForNextTickAsync(ct));
    }

    private async Task JudgeAsync(CancellationToken ct)
    {
        await AdvanceKnownUntilAsync(ct);
        readAhead.EndIfCaughtUp(fleet.KnownUntil);
        var now = clock.GetUtcNow();
        var until = Earliest(now, readAhead.KnownUntil(fleet.KnownUntil), intake.JudgeableUntil);
        if (until > DateTimeOffset.MinValue && leadership.JudgingSince is null)
        {
            leadership.Judging(now);
            logger.LogInformation("Judging deadlines, {Delay} after taking the lead", now - leadership.LeaderSince);
        }
        var due = new List<TrackedMachine>();
        foreach (var machine in fleet.TakeDue(until))
        {
            // An intake interruption moved this deadline: back in the queue until the moved one.
            // A heartbeat the standby read ahead that memory does not hold yet: the tracker decides once it has it.
            if (readAhead.Waits(machine))
                fleet.Requeue(machine.Id, now + RetryAfter);
            else if (intake.EffectiveDeadline(machine) is { } effective && effective > until)
                fleet.Requeue(machine.Id, effective == DateTimeOffset.MaxValue ? now + RetryAfter : effective);
            else
                due.Add(machine);
        }
        if (due.Count == 0) return;

        var transitions = due
            .Select(m => (Machine: m, Offline: TransitionDecisions.Offline(m, now, readAhead.KnownUntil(m.Id, fleet.KnownUntil), options.Value.OfflineThreshold, Guid.CreateVersion7())))
            .Where(t => t.Offline is not null)
            .Select(t => (t.Machine, Offline: t.Offline!))
            .ToList();
        if (transitions.Count == 0) return;

        // A root span of its own, linking to each silent machine's last heartbeat (where tracing recorded it).
        using var activity = HeartbeatTelemetry.Source.StartActivity("judge deadlines", System.Diagnostics.ActivityKind.Internal,
            parentContext: default, links: HeartbeatTelemetry.LinksTo(transitions.Select(t => t.Machine.LastTraceParent)));
        activity?.SetTag("heartbeat.offline_count", transitions.Count);
        // An outage caused by absence starts its own trace (this judgement); the message and notifications continue it.
        if (activity is { Recorded: true })
            transitions = transitions.Select(t => (t.Machine, t.Offline with { TraceParent = activity.Id })).ToList();
        // In transactions of at most AppendChunk machines: a stream's append is a function call of its own (~0.3 ms on
        // this box), so ten thousand in one transaction held every transition back until all were written (~2–3 s);
        // in chunks, the first ones are published and told while the rest are written.
        for (var start = 0; start < transitions.Count; start += AppendChunk)
        {
            var chunk = transitions.GetRange(start, Math.Min(AppendChunk, transitions.Count - start));
            try
            {
                await AppendAsync(chunk, ct);
            }
            catch (Exception)
            {
                // The chunk's own machines were put back; so are the ones not tried yet.
                Requeue(transitions.Skip(start + chunk.Count));
                throw;
            }
        }
    }

    private async Task AppendAsync(List<(TrackedMachine Machine, MachineWentOffline Offline)> transitions, CancellationToken ct)
    {
        if (await TryAppendAsync(transitions, ct)) return;
        // One stale machine must not hold back the others: fall back to one transaction each.
        for (var i = 0; i < transitions.Count; i++)
        {
            try
            {
                await TryAppendAsync([transitions[i]], ct);
            }
            catch (Exception)
            {
                Requeue(transitions.Skip(i + 1));
                throw;
            }
        }
    }

    /// <summary>Machines whose transition was not appended: judged again shortly, nobody lost.</summary>
    private void Requeue(IEnumerable<(TrackedMachine Machine, MachineWentOffline Offline)> transitions)
    {
        foreach (var (machine, _) in transitions) fleet.Requeue(machine.Id, clock.GetUtcNow() + RetryAfter);
    }

    private async Task<bool> TryAppendAsync(IReadOnlyList<(TrackedMachine Machine, MachineWentOffline Offline)> transitions, CancellationToken ct)
    {
        try
        {
            await using var session = store.LightweightSession();
            foreach (var (machine, offline) in transitions)
                session.Events.Append(machine.Id, machine.Version + 1, offline);
            await session.SaveChangesAsync(ct);
        }
        catch (ConcurrencyException) when (transitions.Count > 1)
        {
            return false;
        }
        catch (ConcurrencyException)
        {
            logger.LogInformation("Machine {MachineId} changed since it was last read; judging it again shortly", transitions[0].Machine.Id);
            fleet.Requeue(transitions[0].Machine.Id, clock.GetUtcNow() + RetryAfter);
            return true;
        }
        catch (Exception)
        {
            // Whatever failed (database, timeout, cancellation at the end of a term), nobody is lost: judged again later.
            Requeue(transitions);
            throw;
        }

        var committedAt = clock.GetUtcNow();
        foreach (var (machine, offline) in transitions)
        {
            HeartbeatTelemetry.Transitions.Add(1, new KeyValuePair<string, object?>("kind", "offline"));
            if (machine.Deadline(options.Value.OfflineThreshold) is { } deadline)
                HeartbeatTelemetry.DetectionDelay.Record(Math.Max(0, (committedAt - deadline).TotalSeconds));
            fleet.Update(machine.Id, m => m.WentOffline(offline));
            logger.LogWarning("Machine {MachineName} ({MachineId}) went offline: last seen {LastSeenAt:O}, threshold {Threshold}",
                machine.Name, machine.Id, offline.LastSeenAt, offline.Threshold);
        }
        return true;
    }

    /// <summary>
    /// Silence is evidence only up to the moment the tracker has read everything committed before:
    /// each tick notes the store's high-water mark with the time it was read; once the tracker has read
    /// up to a noted mark, every heartbeat received before that time − Grace has been seen (Grace covers
    /// commit and high-water detection lag). Keeping the recent notes, rather than asking whether the
    /// tracker has caught up with the newest mark, lets this advance steadily under constant load, when the
    /// newest mark is always a little ahead.
    /// </summary>
    private async Task AdvanceKnownUntilAsync(CancellationToken ct)
    {
        var observedAt = clock.GetUtcNow();
        _highWaterMarks.Enqueue((observedAt, await HighWaterMarkAsync(ct)));
        while (_highWaterMarks.TryPeek(out var mark) && fleet.SeenThrough >= mark.Sequence)
        {
            _highWaterMarks.Dequeue();
            var knownUntil = mark.ObservedAt - options.Value.Grace;
            if (fleet.KnownUntil == DateTimeOffset.MinValue)
                logger.LogInformation("Tracker caught up with the store, {Delay} after taking the lead", observedAt - leadership.LeaderSince);
            if (knownUntil > fleet.KnownUntil) fleet.KnownUntil = knownUntil;
        }
        // Bounded: a tracker stalled for minutes keeps only the most recent marks (the readiness check reports the stall).
        while (_highWaterMarks.Count > 10_000) _highWaterMarks.Dequeue();
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b, DateTimeOffset c) =>
        a < b ? (a < c ? a : c) : (b < c ? b : c);

    /// <summary>
    /// The newest committed event's sequence. Not the daemon's high-water row: that one is written by the leader's
    /// daemon, so right after a takeover it still holds the dead leader's last value and would make unread
    /// heartbeats look seen. Every committed event is eventually passed by the daemon, so the tracker reaches this.
    /// </summary>
    private async Task<long> HighWaterMarkAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select coalesce(max(seq_id), 0) from {store.Options.Events.DatabaseSchemaName}.mt_events");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
