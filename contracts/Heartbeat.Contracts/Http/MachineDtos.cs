namespace Heartbeat.Contracts.Http;

// HTTP bodies. On the wire they are snake_case (see HeartbeatJson).

public sealed record RegisterMachineRequest(
    string? Name,
    string? Hostname = null,
    string? Description = null,
    IReadOnlyList<string>? Tags = null,
    int? OfflineThresholdSeconds = null,
    int? ExpectedIntervalSeconds = null,
    ProbeRequest? Probe = null);

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

/// <summary>A machine as people see it. <see cref="Status"/> is new, online, warning, late, offline or paused.</summary>
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
    string? LastProbeError = null);

/// <summary>One transition in a machine's history. <see cref="Kind"/> is offline or online.</summary>
public sealed record TransitionView(
    string Kind,
    DateTimeOffset At,
    Guid EpisodeId,
    DateTimeOffset? LastSeenAt,
    DateTimeOffset? OfflineSince,
    double? DowntimeSeconds);

/// <summary>The share of a window a machine was not offline, from its transitions.</summary>
public sealed record UptimeView(Guid MachineId, DateTimeOffset From, DateTimeOffset To, double UptimeRatio, double OfflineSeconds, int Episodes);

/// <summary>PATCH /api/machines/{id}: only the fields present change.</summary>
public sealed record ChangeMachineSettingsRequest(
    string? Name = null,
    string? Hostname = null,
    string? Description = null,
    IReadOnlyList<string>? Tags = null,
    int? OfflineThresholdSeconds = null,
    int? ExpectedIntervalSeconds = null,
    ProbeRequest? Probe = null);
