using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Tracking;
using Heartbeat.ServiceDefaults.Machines;

namespace Heartbeat.Detector.Status;

/// <summary>The state shown to people, from the status document, the detector's view of last seen, and the clock.</summary>
public static class MachineStatusRules
{
    public static string StateOf(MachineState status, TrackedMachine? tracked, DateTimeOffset now, DetectorOptions defaults)
    {
        if (status.Paused) return "paused";
        if (tracked?.OpenEpisodeId is not null || (tracked is null && status.OpenEpisodeId is not null)) return "offline";
        if (tracked?.LastSeenAt is not { } lastSeen) return "new";
        // Past the threshold but not yet judged (the detector flips it within a second): late, not offline,
        // so that the dashboard never claims an outage the platform has not declared. A scheduled job is late once
        // its expected run has passed without it.
        var late = status.Schedule is not null
            ? NextExpectedRun(status, tracked) is { } next && now > next
            : now - lastSeen > (status.ExpectedInterval ?? defaults.ExpectedInterval);
        if (late) return "late";
        return tracked.ReportedStatus == ReportedStatus.Warning ? "warning" : "online";
    }

    public static MachineView View(MachineState status, TrackedMachine? tracked, DateTimeOffset now, DetectorOptions defaults) => new(
        status.Id,
        status.Name,
        status.Hostname,
        status.Description,
        status.Tags,
        StateOf(status, tracked, now, defaults),
        tracked?.LastSeenAt,
        tracked?.ReportedStatus?.ToString().ToLowerInvariant(),
        tracked?.Message,
        tracked is null ? status.OfflineSince : tracked.OfflineSince,
        tracked is null ? status.OpenEpisodeId : tracked.OpenEpisodeId,
        (int)(status.OfflineThreshold ?? defaults.OfflineThreshold).TotalSeconds,
        (int)(status.ExpectedInterval ?? defaults.ExpectedInterval).TotalSeconds,
        status.RegisteredAt,
        tracked?.AgentVersion,
        LastProbeError: status.LastProbeError,
        NextExpectedRun: NextExpectedRun(status, tracked),
        Schedule: status.Schedule is { } s ? new ScheduleView(s.Expression, s.TimeZone, (int)(s.Grace ?? status.OfflineThreshold ?? defaults.OfflineThreshold).TotalSeconds) : null,
        MaxDurationSeconds: status.MaxRunDuration is { } max ? (int)max.TotalSeconds : null,
        RunStartedAt: tracked?.RunStartedAt,
        LastRun: status.LastRun is { } run ? RunView(run) : null);

    /// <summary>
    /// A scheduled machine's next expected run after it was last seen (or registered, or resumed). From the document's
    /// schedule, which is current the moment a change answered, not the tracker's, which follows a moment later.
    /// </summary>
    public static DateTimeOffset? NextExpectedRun(MachineState status, TrackedMachine? tracked) =>
        status.Schedule is { } schedule
            ? CronSchedules.NextRun(schedule, tracked?.LastSeenAt is { } seen && seen > status.MonitoredSince ? seen : status.MonitoredSince)
            : null;

    public static RunView RunView(RunFinished run) =>
        new(run.StartedAt, run.FinishedAt, run.Duration.TotalSeconds, run.Failed ? "failed" : "succeeded", run.ExitCode);
}
