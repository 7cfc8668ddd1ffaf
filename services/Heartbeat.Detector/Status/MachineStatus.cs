using Heartbeat.Contracts.Events;
using Marten.Events.Aggregation;

namespace Heartbeat.Detector.Status;

/// <summary>A machine's life as people read it: who it is, its settings, whether it is paused, its open episode.</summary>
public sealed record MachineStatus
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public string? Hostname { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public TimeSpan? OfflineThreshold { get; init; }
    public TimeSpan? ExpectedInterval { get; init; }
    public bool Paused { get; init; }
    public bool Retired { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    public Guid? EpisodeId { get; init; }
    public DateTimeOffset? OfflineSince { get; init; }
    /// <summary>The stream version folded in, set by Marten; the board compares it with the tracker's to see a stale document.</summary>
    public long Version { get; set; }
    public string? LastProbeError { get; init; }
}

/// <summary>Folds each machine stream (its few life events, never the heartbeats) into <see cref="MachineStatus"/>; run by the async daemon.</summary>
public partial class MachineStatusProjection : SingleStreamProjection<MachineStatus, Guid>
{
    public static MachineStatus Create(MachineRegistered e) => new()
    {
        Id = e.MachineId, Name = e.Name, Hostname = e.Hostname, Description = e.Description, Tags = e.Tags,
        OfflineThreshold = e.OfflineThreshold, ExpectedInterval = e.ExpectedInterval, RegisteredAt = e.RegisteredAt,
    };

    public static MachineStatus Apply(MachineSettingsChanged e, MachineStatus s) => s with
    {
        Name = e.Name ?? s.Name,
        Hostname = e.Hostname ?? s.Hostname,
        Description = e.Description ?? s.Description,
        Tags = e.Tags ?? s.Tags,
        OfflineThreshold = e.OfflineThreshold ?? s.OfflineThreshold,
        ExpectedInterval = e.ExpectedInterval ?? s.ExpectedInterval,
    };

    public static MachineStatus Apply(MonitoringPaused e, MachineStatus s) => s with { Paused = true };

    public static MachineStatus Apply(MonitoringResumed e, MachineStatus s) => s with { Paused = false };

    public static MachineStatus Apply(MachineRetired e, MachineStatus s) => s with { Retired = true };

    public static MachineStatus Apply(MachineWentOffline e, MachineStatus s) => s with { EpisodeId = e.EpisodeId, OfflineSince = e.DetectedAt };

    public static MachineStatus Apply(MachineWentOnline e, MachineStatus s) => s with { EpisodeId = null, OfflineSince = null };

    public static MachineStatus Apply(ProbeFailed e, MachineStatus s) => s with { LastProbeError = e.Error };

    public static MachineStatus Apply(ProbeRecovered e, MachineStatus s) => s with { LastProbeError = null };
}
