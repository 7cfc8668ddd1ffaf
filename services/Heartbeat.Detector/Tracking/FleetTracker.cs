using Heartbeat.ServiceDefaults;
using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Marten.Subscriptions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// Follows every event in the store (heartbeats from their batch streams, life events and transitions
/// from the machine streams). For each page it folds the events into the machines they name, appends
/// <see cref="MachineWentOnline"/> where a heartbeat ends an episode, stores the changed
/// <see cref="TrackedMachine"/> documents, last-seen rows and recent heartbeats — all in the one transaction that also
/// records the subscription's progress. Memory is updated only after that commit.
/// </summary>
public sealed class FleetTracker : SubscriptionBase
{
    public const string SubscriptionName = "FleetTracker";
    /// <summary>The channel Marten's daemon listens on with <c>UseListenNotifyForEventAppends</c>.</summary>
    private const string EventsAppendedChannel = "mt_events_appended";
    private readonly Fleet _fleet;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<FleetTracker> _logger;
    private readonly int _keepRecent;
    private readonly LateEpisodeRecorder _late;

    // No IDocumentStore here: the store is built with this subscription, so depending on it would deadlock start-up.
    public FleetTracker(Fleet fleet, NpgsqlDataSource dataSource, LateEpisodeRecorder late, IOptions<DetectorOptions> options, ILogger<FleetTracker> logger)
    {
        _keepRecent = options.Value.RecentHeartbeats;
        _fleet = fleet;
        _late = late;
        _dataSource = dataSource;
        _logger = logger;
        Name = SubscriptionName;
        // Events, not heartbeats: each group commit is one event of up to Ingest:MaxBatchSize heartbeats, so a
        // page of 200 events bounds one statement to what a few hundred commits hold.
        Options.BatchSize = 200;
        Options.MaximumHopperSize = 2_000;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        await _fleet.Loaded.WaitAsync(ct);

        var changed = new Dictionary<Guid, TrackedMachine>();
        var lifeChanged = new HashSet<Guid>();
        var cameOnline = false;
        int onlines = 0, failedRuns = 0; // counted as transitions once the page commits
        TrackedMachine? Current(Guid id) => changed.GetValueOrDefault(id) ?? _fleet.Find(id);

        var recent = new Dictionary<(Guid MachineId, int Slot), HeartbeatEntry>();
        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case MachineRegistered registered:
                    changed[registered.MachineId] = TrackedMachine.Create(registered, e.Version);
                    lifeChanged.Add(registered.MachineId);
                    break;
                case HeartbeatsReceived or HeartbeatReceived:
                    foreach (var heartbeat in StoredHeartbeats.In(e.Data)) Track(heartbeat, e.Sequence);
                    break;
                default:
                    if (MachineIdOf(e) is { } id && Current(id) is { } m)
                    {
                        changed[id] = m.Apply(e.Data, e.Version);
                        lifeChanged.Add(id);
                    }
                    break;
            }
        }

        void Track(HeartbeatEntry heartbeat, long sequence)
        {
            if (Current(heartbeat.MachineId) is not { } machine)
            {
                _logger.LogWarning("Heartbeat for unknown machine {MachineId} at sequence {Sequence} ignored", heartbeat.MachineId, sequence);
                return;
            }
            // A job's run that this heartbeat ends is recorded on the machine's stream with its duration.
            if (JobRuns.Finished(machine, heartbeat) is { } run)
            {
                operations.Events.Append(machine.Id, run);
                lifeChanged.Add(machine.Id);
                cameOnline = true; // wake the daemon, so the status document shows the run at once
            }
            if (TransitionDecisions.FailedRun(machine, heartbeat, _fleet.DefaultThreshold, Guid.CreateVersion7()) is { } failed)
            {
                failedRuns++;
                operations.Events.Append(machine.Id, failed);
                machine = machine.WentOffline(failed).Noted(heartbeat);
                lifeChanged.Add(machine.Id);
                cameOnline = true; // an append the publisher should hear of at once, like an online transition
                _logger.LogInformation("Machine {MachineId} reported a failed run", machine.Id);
            }
            else if (!TransitionDecisions.ProvesAlive(heartbeat))
            {
                machine = machine.Noted(heartbeat);
            }
            else
            {
                if (TransitionDecisions.Online(machine, heartbeat) is { } online)
                {
                    onlines++;
                    operations.Events.Append(machine.Id, online);
                    machine = machine.WentOnline(online);
                    lifeChanged.Add(machine.Id);
                    cameOnline = true;
                    _logger.LogInformation("Machine {MachineId} came back after {Downtime}", machine.Id, online.Downtime);
                }
                else if (_late.Record(machine, heartbeat, operations) is { } late)
                {
                    machine = late;
                    lifeChanged.Add(machine.Id);
                    cameOnline = true;
                }
                // Before Seen: the spell is judged against what was last seen, not against this heartbeat.
                if (Warnings.Decide(machine, heartbeat, Guid.CreateVersion7()) is { } warning)
                {
                    operations.Events.Append(machine.Id, warning);
                    machine = machine.Apply(warning, machine.Version); // memory ahead of the store, so the next heartbeat sees the spell
                    lifeChanged.Add(machine.Id);
                    cameOnline = true; // an append the publisher should hear of at once
                }
                machine = machine.Seen(heartbeat);
            }
            // After the judgements above, which see the run as it was before this heartbeat (a late episode of an overrun).
            var runBefore = machine.RunStartedAt;
            machine = JobRuns.Track(machine, heartbeat);
            // A run in progress moves the deadline and must survive a restart: stored with the machine's document.
            if (machine.RunStartedAt != runBefore) lifeChanged.Add(machine.Id);
            changed[machine.Id] = machine;
            recent[(machine.Id, RecentHeartbeats.SlotOf(machine, _keepRecent))] = heartbeat;
        }

        // Life changes are rare and go to the machine's document; last seen and the recent heartbeats change
        // with every heartbeat and go to their tables in one statement. All commit with the page's progress.
        foreach (var id in lifeChanged) operations.Store(changed[id]);
        LastSeenTable.QueueUpsert(operations, operations.DocumentStore.Options.DatabaseSchemaName,
            changed.Values.Where(m => m.LastSeenAt is not null).ToList(), recent);
        return new AfterCommit(async () =>
        {
            _fleet.Commit(changed.Values, page.SequenceCeiling);
            if (onlines > 0) HeartbeatTelemetry.Transitions.Add(onlines, new KeyValuePair<string, object?>("kind", "online"));
            if (failedRuns > 0) HeartbeatTelemetry.Transitions.Add(failedRuns, new KeyValuePair<string, object?>("kind", "offline"));
            // Appends made inside the daemon's own transaction do not wake the daemon; without this the
            // publisher would find a MachineWentOnline only on its next slow poll, about a second later.
            if (cameOnline) await NotifyEventsAppendedAsync();
        });
    }

    private async Task NotifyEventsAppendedAsync()
    {
        try
        {
            await using var notify = _dataSource.CreateCommand($"select pg_notify('{EventsAppendedChannel}', '')");
            await notify.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            // Only a wake-up call: the daemon's own polling finds the event anyway.
            _logger.LogDebug(e, "Waking the daemon after an online transition failed");
        }
    }

    /// <summary>
    /// Every other event on a machine's stream, including ones the detector has no use for (a ping key issued):
    /// each moves the stream's version, which the watcher's appends must expect. Events on other streams (the
    /// platform's) name no tracked machine and are skipped by the caller.
    /// </summary>
    private static Guid? MachineIdOf(IEvent e) => e.StreamId == Guid.Empty ? null : e.StreamId;

    private sealed class AfterCommit(Func<Task> apply) : IChangeListener
    {
        public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => apply();

        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
    }
}
