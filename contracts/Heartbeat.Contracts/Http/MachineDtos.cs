namespace Heartbeat.Contracts.Http;

// HTTP bodies. On the wire they are snake_case (see HeartbeatJson).

public sealed record RegisterMachineRequest(
    string? Name,
    string? Hostname = null,
    string? Description = null,
    IReadOnlyList<string>? Tags = null,
    int? OfflineThresholdSeconds = null,
    int? ExpectedIntervalSeconds = null,
    ProbeRequest? Probe = null,
    string? Schedule = null,
    string? Timezone = null,
    int? GraceSeconds = null,
    int? MaxDurationSeconds = null,
    Guid? DependsOn = null);

/// <summary>
/// An agentless probe: <c>{"type":"ssh","host","port":22,"user","private_key","command"}</c>, <c>{"type":"tcp","host","port"}</c>
/// or <c>{"type":"http","url","expect_status":200}</c>, each with <c>interval_seconds</c> (30) and <c>timeout_seconds</c> (5).
/// The private key is write-only: stored encrypted, never returned.
/// </summary>
public sealed record ProbeRequest(
    string? Type,
    string? Host = null,
    int? Port = null,
    string? User = null,
    string? PrivateKey = null,
    string? Command = null,
    string? Url = null,
    int? ExpectStatus = null,
    int? IntervalSeconds = null,
    int? TimeoutSeconds = null);

/// <summary>The answer to a registration; the only time the token is ever shown.</summary>
public sealed record RegisteredMachine(Guid Id, string Name, string Token, string HeartbeatUrl);

public sealed record HeartbeatRequest(
    string? AgentVersion = null,
    string? Status = null,
    string? Message = null,
    IReadOnlyDictionary<string, double>? Metrics = null);

public sealed record HeartbeatAccepted(
    string Status,
    Guid MachineId,
    string MachineName,
    bool HeartbeatReceived,
    DateTimeOffset Timestamp);

/// <summary>
/// A machine as people see it. <see cref="Status"/> is new, online, warning, late, offline or paused.
/// The members after <see cref="RegisteredAt"/> are filled by <c>GET /api/machines/{id}</c> only (null in lists),
/// except <see cref="AgentVersion"/>.
/// </summary>
public sealed record MachineView(
    Guid Id,
    string Name,
    string? Hostname,
    string? Description,
    IReadOnlyList<string> Tags,
    string Status,
    DateTimeOffset? LastSeen,
    string? ReportedStatus,
    string? Message,
    DateTimeOffset? OfflineSince,
    Guid? EpisodeId,
    int OfflineThresholdSeconds,
    int ExpectedIntervalSeconds,
    DateTimeOffset RegisteredAt,
    string? AgentVersion = null,
    DateTimeOffset? NextExpectedAt = null,
    bool? Flapping = null,
    string? LastProbeError = null,
    DateTimeOffset? NextExpectedRun = null,
    ScheduleView? Schedule = null,
    int? MaxDurationSeconds = null,
    DateTimeOffset? RunStartedAt = null,
    RunView? LastRun = null,
    DateTimeOffset? MaintenanceUntil = null);

/// <summary>A job's cron schedule as registered; <see cref="GraceSeconds"/> after each expected run it is offline.</summary>
public sealed record ScheduleView(string Expression, string Timezone, int GraceSeconds);

/// <summary>A finished run of a job: from its start signal to the heartbeat or failure that ended it. <see cref="Outcome"/> is succeeded or failed.</summary>
public sealed record RunView(DateTimeOffset StartedAt, DateTimeOffset FinishedAt, double DurationSeconds, string Outcome, int? ExitCode);

/// <summary>
/// One page of <c>GET /api/machines</c>. <see cref="Total"/> counts every machine matching all filters;
/// <see cref="Counts"/> counts per status the machines matching the tag and search filters (not the status filter),
/// so the summary shows what a status filter would give. <see cref="NextCursor"/> is null on the last page.
/// </summary>
public sealed record MachinePage(IReadOnlyList<MachineView> Machines, int Total, IReadOnlyDictionary<string, int> Counts, string? NextCursor);

/// <summary>
/// One entry in a machine's history. <see cref="Kind"/> is registered, offline, online, paused, resumed,
/// settings_changed, retired or run (a job's finished run, with <see cref="Run"/>); the episode members are set for
/// offline and online only.
/// </summary>
public sealed record TransitionView(
    string Kind,
    DateTimeOffset At,
    Guid? EpisodeId,
    DateTimeOffset? LastSeenAt,
    DateTimeOffset? OfflineSince,
    double? DowntimeSeconds,
    RunView? Run = null);

/// <summary>PATCH /api/machines/{id}: only the fields present change.</summary>
public sealed record ChangeMachineSettingsRequest(
    string? Name = null,
    string? Hostname = null,
    string? Description = null,
    IReadOnlyList<string>? Tags = null,
    int? OfflineThresholdSeconds = null,
    int? ExpectedIntervalSeconds = null,
    ProbeRequest? Probe = null,
    string? Schedule = null,
    string? Timezone = null,
    int? GraceSeconds = null,
    int? MaxDurationSeconds = null,
    Guid? DependsOn = null);

/// <summary>
/// A new ping key and the URLs built on it, shown once: Healthchecks.io-style <c>ping_url</c>, Uptime Kuma-style
/// <c>push_url</c> and the Alertmanager webhook <c>alertmanager_url</c>.
/// </summary>
public sealed record PingKeyCreated(Guid MachineId, string PingKey, string PingUrl, string PushUrl, string AlertmanagerUrl);

/// <summary>One heartbeat as received (the server's clock).</summary>
public sealed record HeartbeatView(DateTimeOffset ReceivedAt, string Source, string Status, string? AgentVersion, string? Message);

/// <summary>
/// A machine's history between <see cref="From"/> and <see cref="To"/>, newest first. <see cref="Heartbeats"/>
/// only with <c>include=heartbeats</c> (the most recent ones kept by retention, newest first).
/// </summary>
public sealed record MachineHistory(Guid MachineId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TransitionView> Transitions, IReadOnlyList<HeartbeatView>? Heartbeats);

/// <summary>A stretch of time in one state: up (not offline), offline or paused; before registration nothing is reported.</summary>
public sealed record UptimeSpan(string State, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// Uptime over a window, from the machine's stored events only. Paused time is left out of the ratio:
/// <see cref="UptimeRatio"/> = 1 − offline / monitored, monitored = window − paused − before registration.
/// <see cref="Episodes"/> counts the outages overlapping the window.
/// </summary>
public sealed record UptimeView(
    Guid MachineId,
    DateTimeOffset From,
    DateTimeOffset To,
    double UptimeRatio,
    double OfflineSeconds,
    int Episodes,
    double PausedSeconds = 0,
    double MonitoredSeconds = 0,
    double LongestOutageSeconds = 0,
    IReadOnlyList<UptimeSpan>? Spans = null);

/// <summary>
/// What a machine's stored events say about it at <see cref="At"/>: online (registered, not paused, no open
/// outage), offline, paused or retired; <see cref="Since"/> is when that state began. Late and warning are
/// not stored as events and are never answered here.
/// </summary>
public sealed record MachineStateAt(Guid MachineId, DateTimeOffset At, string Status, DateTimeOffset Since, Guid? EpisodeId);

/// <summary>
/// One event of <c>GET /api/machines/stream</c>: a machine whose status (or name, tags, hostname) changed,
/// with its status before (null for a machine new to the list) and the fleet's counts after.
/// A retired machine comes once more with status retired, then never again.
/// </summary>
public sealed record MachineChanged(MachineView Machine, string? PreviousStatus, IReadOnlyDictionary<string, int> Counts, int Total);

public sealed record CreateStatusPageRequest(string? Slug, string? Title, IReadOnlyList<string>? Tags = null, bool ShowHostnames = false);

/// <summary>A public status page: machines carrying any of <see cref="Tags"/> (all machines when empty), at <see cref="Url"/>.</summary>
public sealed record StatusPageView(string Slug, string Title, IReadOnlyList<string> Tags, bool ShowHostnames, string Url);

/// <summary>A badge for one machine or for every machine with a tag.</summary>
public sealed record CreateBadgeRequest(Guid? MachineId = null, string? Tag = null);

/// <summary>An unguessable badge: <see cref="SvgUrl"/> for images, <see cref="JsonUrl"/> for shields.io's endpoint badge.</summary>
public sealed record BadgeView(string Id, Guid? MachineId, string? Tag, string SvgUrl, string JsonUrl);
