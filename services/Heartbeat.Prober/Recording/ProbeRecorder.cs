using System.Threading.Channels;
using Heartbeat.Contracts.Events;
using Heartbeat.Prober.Probing;
using Heartbeat.Prober.Scheduling;
using Heartbeat.ServiceDefaults;
using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Prober.Recording;

/// <summary>
/// Stores probe outcomes in batches, the way ingest's group commit stores agents' heartbeats: every success in a
/// batch becomes an entry of one <see cref="HeartbeatsReceived"/> event on a new heartbeat stream (source probe),
/// and, on the machine streams, a <see cref="ProbeFailed"/> only when a machine's error changed, a
/// <see cref="ProbeRecovered"/> when it cleared, a <see cref="ProbeHostKeyPinned"/> on first contact — all in one
/// transaction. The schedule learns what changed only after the commit.
/// </summary>
public sealed class ProbeRecorder(IDocumentStore store, ProbeSchedule schedule, IOptions<ProberOptions> options, ILogger<ProbeRecorder> logger)
    : BackgroundService
{
    private readonly Channel<ProbeOutcome> _outcomes = Channel.CreateBounded<ProbeOutcome>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    public void Record(ProbeOutcome outcome)
    {
        // Bounded far above what one interval of probes produces; should the store stall that long, the oldest
        // outcomes are the ones worth least (the next probe of the same machine is already due).
        if (!_outcomes.Writer.TryWrite(outcome)) logger.LogWarning("Probe outcomes are not being stored fast enough; one was dropped");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<ProbeOutcome>(options.Value.MaxBatchSize);
        while (await _outcomes.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < options.Value.MaxBatchSize && _outcomes.Reader.TryRead(out var outcome)) batch.Add(outcome);
            try
            {
                await CommitAsync(batch);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or MartenCommandException)
            {
                // Not retried: a probe outcome is only news until the machine's next probe, which runs on its interval
                // anyway. What was not stored did not happen — no heartbeat, no error event, schedule unchanged.
                logger.LogError(e, "Storing {Count} probe outcomes failed; the next probes will try again", batch.Count);
            }
            batch.Clear();
            if (stoppingToken.IsCancellationRequested && _outcomes.Reader.Count == 0) break;
        }
    }

    private async Task CommitAsync(List<ProbeOutcome> batch)
    {
        using var activity = HeartbeatTelemetry.Source.StartActivity("store probe outcomes");
        activity?.SetTag("heartbeat.batch_size", batch.Count);
        var decision = ProbeRecording.Decide(batch, schedule.Find);
        await using var session = store.LightweightSession();
        if (decision.Heartbeats.Count > 0)
            session.Events.StartStream<HeartbeatBatch>(Guid.CreateVersion7(), new HeartbeatsReceived(decision.Heartbeats));
        foreach (var (machineId, @event) in decision.MachineEvents) session.Events.Append(machineId, @event);
        await session.SaveChangesAsync(CancellationToken.None);

        foreach (var (machineId, @event) in decision.MachineEvents)
            schedule.Update(machineId, t => t.Apply(@event));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain: outcomes already probed are stored before the process exits.
        _outcomes.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}

/// <summary>
/// The stream type of a batch of heartbeats (<c>mt_streams.type</c> = heartbeat_batch), the same name ingest's group
/// commit uses, so retention deletes the prober's heartbeat streams with the agents'.
/// </summary>
public sealed class HeartbeatBatch;
