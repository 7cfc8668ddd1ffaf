using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Status;

/// <summary>The state shown to people, from the status document, the detector's view of last seen, and the clock.</summary>
public static class MachineStatusRules
{
    public static string StateOf(MachineStatus status, TrackedMachine? tracked, DateTimeOffset now, DetectorOptions defaults)
    {
        if (status.Paused) return "paused";
        if (tracked?.OpenEpisodeId is not null || (tracked is null && status.EpisodeId is not null)) return "offline";
        if (tracked?.LastSeenAt is not { } lastSeen) return "new";
        // Past the threshold but not yet judged (the detector flips it within a second): late, not offline,
        // so that the dashboard never claims an outage the platform has not declared.
        if (now - lastSeen > (status.ExpectedInterval ?? defaults.ExpectedInterval)) return "late";
        return tracked.ReportedStatus == ReportedStatus.Warning ? "warning" : "online";
    }

    public static MachineView View(MachineStatus status, TrackedMachine? tracked, DateTimeOffset now, DetectorOptions defaults) => new(
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
        tracked is null ? status.EpisodeId : tracked.OpenEpisodeId,
        (int)(status.OfflineThreshold ?? defaults.OfflineThreshold).TotalSeconds,
        (int)(status.ExpectedInterval ?? defaults.ExpectedInterval).TotalSeconds,
        status.RegisteredAt,
        tracked?.AgentVersion,
        LastProbeError: status.LastProbeError);
}
