using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Marten.Subscriptions;
using Npgsql;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// Follows every event in the store (heartbeats from their batch streams, life events and transitions
/// from the machine streams). For each page it folds the events into the machines they name, appends
/// <see cref="MachineWentOnline"/> where a heartbeat ends an episode, stores the changed
/// <see cref="TrackedMachine"/> documents and last-seen rows — all in the one transaction that also
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
    private readonly LateEpisodeRecorder _late;

    // No IDocumentStore here: the store is built with this subscription, so depending on it would deadlock start-up.
    public FleetTracker(Fleet fleet, NpgsqlDataSource dataSource, LateEpisodeRecorder late, ILogger<FleetTracker> logger)
    {
        _fleet = fleet;
        _late = late;
        _dataSource = dataSource;
        _logger = logger;
        Name = SubscriptionName;
        Options.BatchSize = 2_000;
        Options.MaximumHopperSize = 20_000;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        await _fleet.Loaded.WaitAsync(ct);

        var changed = new Dictionary<Guid, TrackedMachine>();
        var lifeChanged = new HashSet<Guid>();
        var cameOnline = false;
        TrackedMachine? Current(Guid id) => changed.GetValueOrDefault(id) ?? _fleet.Find(id);

        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case MachineRegistered registered:
                    changed[registered.MachineId] = TrackedMachine.Create(registered, e.Version);
                    lifeChanged.Add(registered.MachineId);
                    break;
                case HeartbeatReceived heartbeat when Current(heartbeat.MachineId) is { } machine:
                    if (TransitionDecisions.Online(machine, heartbeat) is { } online)
                    {
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
                    changed[machine.Id] = machine.Apply(heartbeat, e.Version);
                    break;
                case HeartbeatReceived heartbeat:
                    _logger.LogWarning("Heartbeat for unknown machine {MachineId} at sequence {Sequence} ignored", heartbeat.MachineId, e.Sequence);
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

        // Life changes are rare and go to the machine's document; last seen changes with every heartbeat
        // and goes to the last-seen table in one statement. Both commit with the page's progress.
        foreach (var id in lifeChanged) operations.Store(changed[id]);
        LastSeenTable.QueueUpsert(operations, operations.DocumentStore.Options.DatabaseSchemaName, changed.Values.Where(m => m.LastSeenAt is not null).ToList());
        return new AfterCommit(async () =>
        {
            _fleet.Commit(changed.Values, page.SequenceCeiling);
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

    private static Guid? MachineIdOf(IEvent e) => e.Data switch
    {
        MachineSettingsChanged or MonitoringPaused or MonitoringResumed or MachineRetired or MachineWentOffline or MachineWentOnline => e.StreamId,
        _ => null,
    };

    private sealed class AfterCommit(Func<Task> apply) : IChangeListener
    {
        public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => apply();

        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
    }
}
