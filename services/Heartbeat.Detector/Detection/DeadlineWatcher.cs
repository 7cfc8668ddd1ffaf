using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;
using Heartbeat.ServiceDefaults;
using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Detector.Detection;

/// <summary>
/// Wakes every <see cref="DetectorOptions.Tick"/>, takes the machines whose deadline has passed and
/// appends <see cref="MachineWentOffline"/> to each one's stream, with the stream version it expects:
/// if anything was appended meanwhile (say a transition written just before a restart and not yet
/// read back), the append is refused and the machine is judged again once the tracker has caught up.
/// </summary>
public sealed class DeadlineWatcher(
    Fleet fleet,
    IDocumentStore store,
    TimeProvider clock,
    IOptions<DetectorOptions> options,
    ILogger<DeadlineWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private readonly Queue<(DateTimeOffset ObservedAt, long Sequence)> _highWaterMarks = new();
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await fleet.Loaded.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.Tick, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await JudgeAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Judging deadlines skipped this tick: the database did not answer ({Error})", e.Message);
            }
        }
    }

    private async Task JudgeAsync(CancellationToken ct)
    {
        await AdvanceKnownUntilAsync(ct);
        var now = clock.GetUtcNow();
        var until = now < fleet.KnownUntil ? now : fleet.KnownUntil;
        var due = fleet.TakeDue(until);
        if (due.Count == 0) return;

        var transitions = due
            .Select(m => (Machine: m, Offline: TransitionDecisions.Offline(m, now, fleet.KnownUntil, options.Value.OfflineThreshold, Guid.CreateVersion7())))
            .Where(t => t.Offline is not null)
            .Select(t => (t.Machine, Offline: t.Offline!))
            .ToList();
        if (transitions.Count == 0) return;

        using var activity = HeartbeatTelemetry.Source.StartActivity("judge deadlines");
        activity?.SetTag("heartbeat.offline_count", transitions.Count);
        if (!await TryAppendAsync(transitions, ct))
        {
            // One stale machine must not hold back the others: fall back to one transaction each.
            foreach (var t in transitions) await TryAppendAsync([t], ct);
        }
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
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            foreach (var (machine, _) in transitions) fleet.Requeue(machine.Id, clock.GetUtcNow() + RetryAfter);
            throw;
        }

        foreach (var (machine, offline) in transitions)
        {
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
            if (knownUntil > fleet.KnownUntil) fleet.KnownUntil = knownUntil;
        }
        // Bounded: a tracker stalled for minutes keeps only the most recent marks (the readiness check reports the stall).
        while (_highWaterMarks.Count > 10_000) _highWaterMarks.Dequeue();
    }

    private async Task<long> HighWaterMarkAsync(CancellationToken ct)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        return progress.FirstOrDefault(p => p.ShardName == ShardState.HighWaterMark)?.Sequence ?? 0;
    }
}
