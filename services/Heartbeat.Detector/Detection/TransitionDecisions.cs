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

    /// <summary>
    /// A job that reports failure — <c>/fail</c>, a non-zero exit status, a push with <c>status=down</c>, a resolved
    /// Watchdog — is offline at once, without waiting for its deadline; once per episode, like silence.
    /// </summary>
    public static MachineWentOffline? FailedRun(TrackedMachine machine, HeartbeatEntry heartbeat, TimeSpan defaultThreshold, Guid newEpisodeId)
    {
        if (!IsFailure(heartbeat.Run) || machine.Paused || machine.Retired || machine.IsOffline) return null;
        return new MachineWentOffline(machine.Id, machine.LastSeenAt, heartbeat.ReceivedAt, machine.ThresholdOr(defaultThreshold), newEpisodeId,
            TraceParent: heartbeat.TraceParent);
    }

    public static bool IsFailure(HeartbeatRun? run) => run is { Signal: RunSignal.Failed } or { Signal: RunSignal.Exited, ExitCode: not 0 };

    /// <summary>Whether a heartbeat proves the machine alive: not a failure report, and not a mere log line.</summary>
    public static bool ProvesAlive(HeartbeatEntry heartbeat) => !IsFailure(heartbeat.Run) && heartbeat.Run?.Signal != RunSignal.Logged;

    /// <summary>Online on the first heartbeat that arrives while an episode is open (a paused machine makes no transitions).</summary>
    public static MachineWentOnline? Online(TrackedMachine machine, HeartbeatEntry heartbeat)
    {
        if (machine is not { OpenEpisodeId: { } episode, OfflineSince: { } since } || machine.Paused || machine.Retired) return null;
        // Downtime is the episode as people were told of it: from the offline notice (the detector's clock) to the
        // return (ingest's clock). Never negative: with clocks a little apart a quick return could otherwise precede the notice.
        var cameBack = heartbeat.ReceivedAt > since ? heartbeat.ReceivedAt : since;
        return new MachineWentOnline(machine.Id, since, cameBack, cameBack - since, episode, TraceParent: heartbeat.TraceParent);
    }
}
