using System.Diagnostics.CodeAnalysis;
using Heartbeat.Contracts.Events;
using Heartbeat.ServiceDefaults.Machines;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// What the detector knows of one machine: its life (<see cref="MachineState"/>, the one fold of its stream) and what
/// only the heartbeats tell — last seen, reported status, a run in progress — enough to compute its deadline and to judge it.
/// Persisted in the same transaction as the tracker's progress, so after a restart memory is
/// rebuilt exactly as of the last event the tracker committed.
/// </summary>
public sealed record TrackedMachine : MachineState
{
    public DateTimeOffset? LastSeenAt { get; init; }
    public ReportedStatus? ReportedStatus { get; init; }
    public string? Message { get; init; }
    public string? AgentVersion { get; init; }
    /// <summary>Heartbeats seen so far; numbers the slots of the machine's recent heartbeats (<see cref="RecentHeartbeats"/>).</summary>
    public long HeartbeatCount { get; init; }
    /// <summary>When the run in progress started (a start signal not yet followed by a heartbeat or a failure).</summary>
    public DateTimeOffset? RunStartedAt { get; init; }
    public string? RunId { get; init; }

    public TrackedMachine() { }

    [SetsRequiredMembers]
    private TrackedMachine(MachineState state) : base(state) { }

    public TimeSpan ThresholdOr(TimeSpan fallback) => OfflineThreshold ?? fallback;

    /// <summary>
    /// When silence turns into an outage; null while there is nothing to judge: never seen (new),
    /// paused, retired, or already offline. On an interval: last seen plus the threshold. On a schedule: the next
    /// expected run after last seen plus the grace. While a run is in progress, also its start plus the longest it may
    /// take (<see cref="LongestRun"/>) — whichever comes first.
    /// </summary>
    public DateTimeOffset? Deadline(TimeSpan defaultThreshold)
    {
        if (Paused || Retired || IsOffline || LastSeenAt is not { } lastSeen) return null;
        var from = lastSeen > MonitoredSince ? lastSeen : MonitoredSince;
        var deadline = Schedule is { } schedule
            ? NextExpectedRun() + (schedule.Grace ?? ThresholdOr(defaultThreshold))
            : from + ThresholdOr(defaultThreshold);
        if (RunStartedAt is { } started && started + LongestRun(defaultThreshold) is var overrun && (deadline is null || overrun < deadline))
            deadline = overrun;
        return deadline;
    }

    /// <summary>How long a started run may take: its max duration, else a scheduled job's grace, else the threshold.</summary>
    public TimeSpan LongestRun(TimeSpan defaultThreshold) => MaxRunDuration ?? Schedule?.Grace ?? ThresholdOr(defaultThreshold);

    /// <summary>The next run a scheduled machine is expected for, after it was last seen (or registered, or resumed).</summary>
    public DateTimeOffset? NextExpectedRun() =>
        Schedule is { } schedule ? CronSchedules.NextRun(schedule, LastSeenAt is { } seen && seen > MonitoredSince ? seen : MonitoredSince) : null;

    public static TrackedMachine Create(MachineRegistered e, long version) => new(MachineState.Create(e)) { Version = version };

    /// <summary>Folds one heartbeat in. One that arrives after a newer one (another commit won the race) counts but does not move last seen back.</summary>
    /// <summary>
    /// The trace of the last heartbeat (while tracing records them), so the offline its silence causes links to it.
    /// Kept in memory only, like last seen between commits: after a restart the first offline may have no link.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? LastTraceParent { get; init; }

    public TrackedMachine Seen(HeartbeatEntry e) => LastSeenAt is null || e.ReceivedAt >= LastSeenAt
        ? this with { LastSeenAt = e.ReceivedAt, ReportedStatus = e.Status, Message = e.Message, AgentVersion = e.AgentVersion, HeartbeatCount = HeartbeatCount + 1,
                      LastTraceParent = e.TraceParent }
        : this with { HeartbeatCount = HeartbeatCount + 1 };

    /// <summary>A heartbeat that does not prove the machine alive (a failed run, a log line): counted, its message kept, last seen unchanged.</summary>
    public TrackedMachine Noted(HeartbeatEntry e) => this with { Message = e.Message ?? Message, HeartbeatCount = HeartbeatCount + 1 };

    /// <summary>Folds one stored life event in (see <see cref="MachineState.Apply(object, long)"/>): every one advances the version.</summary>
    public new TrackedMachine Apply(object @event, long streamVersion) => (TrackedMachine)base.Apply(@event, streamVersion);

    public TrackedMachine WentOffline(MachineWentOffline e) => Apply(e, Version);

    public TrackedMachine WentOnline(MachineWentOnline e) => Apply(e, Version);
}
