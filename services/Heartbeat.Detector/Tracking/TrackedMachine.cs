using Heartbeat.Contracts.Events;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// What the detector knows of one machine: enough to compute its deadline and to judge it.
/// Persisted in the same transaction as the tracker's progress, so after a restart memory is
/// rebuilt exactly as of the last event the tracker committed.
/// </summary>
public sealed record TrackedMachine
{
    public required Guid Id { get; init; }
    /// <summary>Version of the machine's own stream (life events and transitions) as last seen; heartbeats live in other streams.</summary>
    public long Version { get; init; }
    public required string Name { get; init; }
    public string? Hostname { get; init; }
    public string? Description { get; init; }
    /// <summary>Carried on transition messages for the notifier's routing and maintenance windows.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>The parent machine (a switch, a host) this one is reachable through; carried to the notifier.</summary>
    public Guid? DependsOn { get; init; }
    public TimeSpan? OfflineThreshold { get; init; }
    public TimeSpan? ExpectedInterval { get; init; }
    public bool Paused { get; init; }
    public bool Retired { get; init; }
    /// <summary>When monitoring last (re)started: registration or resume. A resumed machine gets a full threshold.</summary>
    public DateTimeOffset MonitoredSince { get; init; }
    public DateTimeOffset? LastSeenAt { get; init; }
    public ReportedStatus? ReportedStatus { get; init; }
    public string? Message { get; init; }
    public string? AgentVersion { get; init; }
    /// <summary>Heartbeats seen so far; numbers the slots of the machine's recent heartbeats (<see cref="RecentHeartbeats"/>).</summary>
    public long HeartbeatCount { get; init; }
    public Guid? OpenEpisodeId { get; init; }
    public DateTimeOffset? OfflineSince { get; init; }

    public bool IsOffline => OpenEpisodeId is not null;

    public TimeSpan ThresholdOr(TimeSpan fallback) => OfflineThreshold ?? fallback;

    /// <summary>
    /// When silence turns into an outage; null while there is nothing to judge: never seen (new),
    /// paused, retired, or already offline.
    /// </summary>
    public DateTimeOffset? Deadline(TimeSpan defaultThreshold)
    {
        if (Paused || Retired || IsOffline || LastSeenAt is not { } lastSeen) return null;
        var from = lastSeen > MonitoredSince ? lastSeen : MonitoredSince;
        return from + ThresholdOr(defaultThreshold);
    }

    public static TrackedMachine Create(MachineRegistered e, long version) => new()
    {
        Id = e.MachineId,
        Version = version,
        Name = e.Name,
        Hostname = e.Hostname,
        Description = e.Description,
        Tags = e.Tags ?? [],
        DependsOn = e.DependsOn,
        OfflineThreshold = e.OfflineThreshold,
        ExpectedInterval = e.ExpectedInterval,
        MonitoredSince = e.RegisteredAt,
    };

    /// <summary>Folds one heartbeat in. One that arrives after a newer one (another commit won the race) counts but does not move last seen back.</summary>
    public TrackedMachine Seen(HeartbeatEntry e) => LastSeenAt is null || e.ReceivedAt >= LastSeenAt
        ? this with { LastSeenAt = e.ReceivedAt, ReportedStatus = e.Status, Message = e.Message, AgentVersion = e.AgentVersion, HeartbeatCount = HeartbeatCount + 1 }
        : this with { HeartbeatCount = HeartbeatCount + 1 };

    /// <summary>A heartbeat that does not prove the machine alive (a failed run, a log line): counted, its message kept, last seen unchanged.</summary>
    public TrackedMachine Noted(HeartbeatEntry e) => this with { Message = e.Message ?? Message, HeartbeatCount = HeartbeatCount + 1 };

    /// <summary>Folds one stored life event in. Idempotent for transitions, so memory set ahead of the store agrees with it.</summary>
    public TrackedMachine Apply(object @event, long streamVersion) => @event switch
    {
        MachineSettingsChanged e => this with
        {
            Version = streamVersion,
            Name = e.Name ?? Name,
            Hostname = e.Hostname ?? Hostname,
            Description = e.Description ?? Description,
            Tags = e.Tags ?? Tags,
            DependsOn = e.DependsOn is { } parent ? (parent == Guid.Empty ? null : parent) : DependsOn,
            OfflineThreshold = e.OfflineThreshold ?? OfflineThreshold,
            ExpectedInterval = e.ExpectedInterval ?? ExpectedInterval,
        },
        MonitoringPaused => this with { Version = streamVersion, Paused = true },
        MonitoringResumed e => this with { Version = streamVersion, Paused = false, MonitoredSince = e.ResumedAt },
        MachineRetired => this with { Version = streamVersion, Retired = true },
        MachineWentOffline e => WentOffline(e) with { Version = streamVersion },
        MachineWentOnline e => WentOnline(e) with { Version = streamVersion },
        // Any other event on the machine's stream (a probe's error, a pinned host key) still moves the version
        // that offline transitions are appended against.
        _ => this with { Version = streamVersion },
    };

    public TrackedMachine WentOffline(MachineWentOffline e) => this with { OpenEpisodeId = e.EpisodeId, OfflineSince = e.DetectedAt };

    public TrackedMachine WentOnline(MachineWentOnline e) =>
        OpenEpisodeId == e.EpisodeId ? this with { OpenEpisodeId = null, OfflineSince = null } : this;
}
