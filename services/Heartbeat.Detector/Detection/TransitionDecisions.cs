using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Detection;

/// <summary>The two judgements the detector makes. Pure: state, input and clock in; an event or nothing out.</summary>
public static class TransitionDecisions
{
    /// <summary>
    /// Offline once the deadline has passed, judged only up to <paramref name="knownUntil"/>: the moment up to
    /// which every heartbeat the platform received has been seen. Silence the detector has not caught up
    /// with yet is not evidence of an outage.
    /// </summary>
    public static MachineWentOffline? Offline(TrackedMachine machine, DateTimeOffset now, DateTimeOffset knownUntil, TimeSpan defaultThreshold, Guid newEpisodeId)
    {
        if (machine.Deadline(defaultThreshold) is not { } deadline) return null;
        if (deadline > now || deadline > knownUntil) return null;
        return new MachineWentOffline(machine.Id, machine.LastSeenAt, now, machine.ThresholdOr(defaultThreshold), newEpisodeId);
    }

    /// <summary>Online on the first heartbeat that arrives while an episode is open (a paused machine makes no transitions).</summary>
    public static MachineWentOnline? Online(TrackedMachine machine, HeartbeatReceived heartbeat)
    {
        if (machine is not { OpenEpisodeId: { } episode, OfflineSince: { } since } || machine.Paused || machine.Retired) return null;
        // Downtime is the episode as people were told of it: from the offline notice (the detector's clock) to the
        // return (ingest's clock). Never negative: with clocks a little apart a quick return could otherwise precede the notice.
        var cameBack = heartbeat.ReceivedAt > since ? heartbeat.ReceivedAt : since;
        return new MachineWentOnline(machine.Id, since, cameBack, cameBack - since, episode);
    }
}
