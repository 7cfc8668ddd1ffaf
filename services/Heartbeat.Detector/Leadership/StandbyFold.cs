using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Leadership;

/// <summary>
/// The tracker's fold (<see cref="FleetTracker"/>) without its writes: the same state per machine from the same
/// committed events. Where the tracker decided a transition and appended it in the page's transaction, its memory and
/// documents already show the decision; the fold makes the same decision (they are pure) so this memory does too —
/// except the episode id of a failed run, which the tracker drew at random: that one is reported as unconfirmed until
/// the appended event itself is folded. Outages recorded after the fact leave the machine as it was, so need nothing.
/// </summary>
public static class StandbyFold
{
    public readonly record struct Stored(object Data, Guid StreamId, long Version);

    public static IReadOnlyCollection<TrackedMachine> Fold(
        IEnumerable<Stored> events, Func<Guid, TrackedMachine?> find, TimeSpan defaultThreshold,
        out HashSet<Guid> unconfirmedEpisodes, out HashSet<Guid> confirmedEpisodes)
    {
        var changed = new Dictionary<Guid, TrackedMachine>();
        var unconfirmed = new HashSet<Guid>();
        var confirmed = new HashSet<Guid>();
        TrackedMachine? Current(Guid id) => changed.GetValueOrDefault(id) ?? find(id);

        foreach (var e in events)
        {
            switch (e.Data)
            {
                case MachineRegistered registered:
                    changed[registered.MachineId] = TrackedMachine.Create(registered, e.Version);
                    break;
                case HeartbeatsReceived or HeartbeatReceived:
                    foreach (var heartbeat in StoredHeartbeats.In(e.Data))
                    {
                        if (Current(heartbeat.MachineId) is not { } machine) continue;
                        if (TransitionDecisions.FailedRun(machine, heartbeat, defaultThreshold, Guid.Empty) is { } failed)
                        {
                            machine = machine.WentOffline(failed).Noted(heartbeat);
                            unconfirmed.Add(machine.Id);
                        }
                        else if (!TransitionDecisions.ProvesAlive(heartbeat))
                        {
                            machine = machine.Noted(heartbeat);
                        }
                        else
                        {
                            if (TransitionDecisions.Online(machine, heartbeat) is { } online) machine = machine.WentOnline(online);
                            machine = machine.Seen(heartbeat);
                        }
                        changed[machine.Id] = machine;
                    }
                    break;
                default:
                    if (e.StreamId != Guid.Empty && Current(e.StreamId) is { } m)
                    {
                        changed[e.StreamId] = m.Apply(e.Data, e.Version);
                        if (e.Data is MachineWentOffline)
                        {
                            unconfirmed.Remove(e.StreamId);
                            confirmed.Add(e.StreamId);
                        }
                    }
                    break;
            }
        }
        unconfirmedEpisodes = unconfirmed;
        confirmedEpisodes = confirmed;
        return changed.Values;
    }
}
