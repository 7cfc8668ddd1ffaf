using Heartbeat.Contracts.Events;
using Heartbeat.Prober.Scheduling;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Marten.Subscriptions;

namespace Heartbeat.Prober.Targets;

/// <summary>
/// Follows the machine streams' life events (never the heartbeats: only <see cref="ProbeTarget.FollowedEvents"/> are
/// read) and folds them into <see cref="ProbeTarget"/> documents, stored in the same transaction as the
/// subscription's progress; after that commit the schedule takes the changed targets. So the documents plus the
/// progress are exactly what the schedule had, and a new leader loads them and continues from there.
/// </summary>
public sealed class ProbeTargetFollower : SubscriptionBase
{
    private readonly ProbeSchedule _schedule;

    // No IDocumentStore here: the store is built with this subscription, so depending on it would deadlock start-up.
    public ProbeTargetFollower(ProbeSchedule schedule)
    {
        _schedule = schedule;
        Name = "ProbeTargetFollower";
        foreach (var type in ProbeTarget.FollowedEvents) IncludeType(type);
        Options.BatchSize = 1_000;
    }

    public override Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        var changed = new Dictionary<Guid, ProbeTarget>();
        foreach (var e in page.Events)
        {
            var target = e.Data is MachineRegistered registered
                ? ProbeTarget.Create(registered)
                : (changed.GetValueOrDefault(e.StreamId) ?? _schedule.Find(e.StreamId))?.Apply(e.Data);
            if (target is not null) changed[target.Id] = target;
        }
        if (changed.Count == 0) return Task.FromResult<IChangeListener>(NullChangeListener.Instance);
        operations.Store(changed.Values.ToArray());
        return Task.FromResult<IChangeListener>(new AfterCommit(() => _schedule.Set(changed.Values)));
    }

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
