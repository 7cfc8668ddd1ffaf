using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Marten.Subscriptions;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// Follows every event in the store (heartbeats from their batch streams, life events and transitions
/// from the machine streams). For each page it folds the events into the machines they name, appends
/// <see cref="MachineWentOnline"/> where a heartbeat ends an episode, and stores the changed
/// <see cref="TrackedMachine"/> documents — all in the one transaction that also records the
/// subscription's progress. Memory is updated only after that commit.
/// </summary>
public sealed class FleetTracker : SubscriptionBase
{
    public const string SubscriptionName = "FleetTracker";
    private readonly Fleet _fleet;
    private readonly ILogger<FleetTracker> _logger;

    public FleetTracker(Fleet fleet, ILogger<FleetTracker> logger)
    {
        _fleet = fleet;
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
        TrackedMachine? Current(Guid id) => changed.GetValueOrDefault(id) ?? _fleet.Find(id);

        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case MachineRegistered registered:
                    changed[registered.MachineId] = TrackedMachine.Create(registered, e.Version);
                    break;
                case HeartbeatReceived heartbeat when Current(heartbeat.MachineId) is { } machine:
                    if (TransitionDecisions.Online(machine, heartbeat) is { } online)
                    {
                        operations.Events.Append(machine.Id, online);
                        machine = machine.WentOnline(online);
                        _logger.LogInformation("Machine {MachineId} came back after {Downtime}", machine.Id, online.Downtime);
                    }
                    changed[machine.Id] = machine.Apply(heartbeat, e.Version);
                    break;
                case HeartbeatReceived heartbeat:
                    _logger.LogWarning("Heartbeat for unknown machine {MachineId} at sequence {Sequence} ignored", heartbeat.MachineId, e.Sequence);
                    break;
                default:
                    if (MachineIdOf(e) is { } id && Current(id) is { } m) changed[id] = m.Apply(e.Data, e.Version);
                    break;
            }
        }

        foreach (var m in changed.Values) operations.Store(m);
        return new AfterCommit(() => _fleet.Commit(changed.Values, page.SequenceCeiling));
    }

    private static Guid? MachineIdOf(IEvent e) => e.Data switch
    {
        MachineSettingsChanged or MonitoringPaused or MonitoringResumed or MachineRetired or MachineWentOffline or MachineWentOnline => e.StreamId,
        _ => null,
    };

    private sealed class AfterCommit(Action apply) : IChangeListener
    {
        public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            apply();
            return Task.CompletedTask;
        }

        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
    }
}
