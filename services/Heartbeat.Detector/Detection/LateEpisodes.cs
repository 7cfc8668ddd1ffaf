using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Detection;

/// <summary>
/// Outages nobody watched: the tracker reads a heartbeat that ends a silence longer than the machine's threshold
/// (intake interruptions taken out), but no transition covers it because the detector was down or behind when
/// the deadline passed. Recording it after the fact keeps history and uptime true.
/// </summary>
public static class LateEpisodes
{
    /// <summary>
    /// The episode to record, or null. Only deadlines the watcher could not judge yet count (after
    /// <paramref name="knownUntil"/>): one it could judge is its own, so the two never record the same outage twice.
    /// The heartbeat must come later than the deadline by more than <paramref name="grace"/>, the allowance the
    /// watcher itself gives for commit and read-back lag.
    /// </summary>
    public static (MachineWentOffline Offline, MachineWentOnline Online)? Decide(
        TrackedMachine machine, HeartbeatEntry heartbeat, DateTimeOffset knownUntil, TimeSpan defaultThreshold,
        TimeSpan defaultInterval, TimeSpan grace, IReadOnlyList<IntakeInterruption> interruptions, Guid newEpisodeId)
    {
        if (machine.IsOffline || machine.Paused || machine.Retired) return null;
        if (IntakeDecisions.EffectiveDeadline(machine, defaultThreshold, defaultInterval, interruptions) is not { } deadline) return null;
        if (deadline == DateTimeOffset.MaxValue || deadline <= knownUntil || heartbeat.ReceivedAt - deadline <= grace) return null;

        var offline = new MachineWentOffline(machine.Id, machine.LastSeenAt, deadline, machine.ThresholdOr(defaultThreshold), newEpisodeId, DetectedLate: true);
        var online = new MachineWentOnline(machine.Id, deadline, heartbeat.ReceivedAt, heartbeat.ReceivedAt - deadline, newEpisodeId, DetectedLate: true);
        return (offline, online);
    }
}
