namespace Heartbeat.Contracts.Events;

// Stored events. Change them only by adding optional members: old events must still load.

/// <summary>A machine joined the fleet. Thresholds left null follow the platform's configured defaults. With a <see cref="Probe"/>, the prober probes it.</summary>
public sealed record MachineRegistered(
    Guid MachineId,
    string Name,
    string? Hostname,
    string? Description,
    IReadOnlyList<string> Tags,
    TimeSpan? OfflineThreshold,
    TimeSpan? ExpectedInterval,
    string TokenHash,
    DateTimeOffset RegisteredAt,
    ProbeSettings? Probe = null,
    CronSchedule? Schedule = null,
    TimeSpan? MaxRunDuration = null,
    Guid? DependsOn = null);

/// <summary>
/// Only the members that are not null changed; a <see cref="Probe"/> replaces the machine's probe, a
/// <see cref="Schedule"/> its schedule; <see cref="ScheduleRemoved"/>: it is expected on an interval again.
/// <see cref="DependsOn"/> names the machine's new parent; <see cref="Guid.Empty"/> removes it.
/// </summary>
public sealed record MachineSettingsChanged(
    Guid MachineId,
    string? Name,
    string? Hostname,
    string? Description,
    IReadOnlyList<string>? Tags,
    TimeSpan? OfflineThreshold,
    TimeSpan? ExpectedInterval,
    DateTimeOffset ChangedAt,
    ProbeSettings? Probe = null,
    CronSchedule? Schedule = null,
    bool ScheduleRemoved = false,
    TimeSpan? MaxRunDuration = null,
    Guid? DependsOn = null);

public sealed record MonitoringPaused(Guid MachineId, DateTimeOffset PausedAt);

public sealed record MonitoringResumed(Guid MachineId, DateTimeOffset ResumedAt);

public sealed record MachineRetired(Guid MachineId, DateTimeOffset RetiredAt);

/// <summary>
/// Appended by the detector when a machine's deadline passed without a heartbeat; once per episode.
/// <paramref name="DetectedLate"/>: the episode was found after the fact (the detector was down or behind while it
/// happened), so <paramref name="DetectedAt"/> is the deadline that passed, not when anyone noticed.
/// <paramref name="TraceParent"/> (W3C, while tracing): the trace the transition belongs to, continued by its message
/// and notifications — the failed run's heartbeat, or the detector's own judgement of a deadline.
/// </summary>
public sealed record MachineWentOffline(
    Guid MachineId,
    DateTimeOffset? LastSeenAt,
    DateTimeOffset DetectedAt,
    TimeSpan Threshold,
    Guid EpisodeId,
    bool DetectedLate = false,
    string? TraceParent = null);

/// <summary>
/// Appended by the detector on the first heartbeat after an offline episode (<paramref name="DetectedLate"/> as for its
/// offline); <paramref name="TraceParent"/> is that heartbeat's trace, so its online notification is in the same trace.
/// </summary>
public sealed record MachineWentOnline(
    Guid MachineId,
    DateTimeOffset OfflineSince,
    DateTimeOffset CameBackAt,
    TimeSpan Downtime,
    Guid EpisodeId,
    bool DetectedLate = false,
    string? TraceParent = null);

/// <summary>
/// Appended by the detector when a fresh heartbeat reports <c>warning</c> and no warning spell is open: the spell
/// <paramref name="WarningId"/> begins (once per spell, not per heartbeat). <paramref name="Message"/> is the heartbeat's.
/// </summary>
public sealed record MachineReportedWarning(Guid MachineId, DateTimeOffset ReportedAt, Guid WarningId, string? Message = null);

/// <summary>
/// Appended by the detector when the machine reports <c>ok</c> again while a warning spell is open: the spell ends.
/// A spell is about what the machine reports, not whether it is up: an outage in between neither ends nor repeats it.
/// </summary>
public sealed record MachineWarningCleared(Guid MachineId, DateTimeOffset ClearedAt, Guid WarningId, string? Message = null);
