using Heartbeat.Contracts.Events;
using JasperFx.Core;

namespace Heartbeat.ServiceDefaults.Machines;

/// <summary>
/// A machine's life, folded from its own stream (registration, settings, pause, retirement, credentials, probe facts,
/// transitions, finished runs; never the heartbeats, which live on other streams). The one fold of a machine: ingest
/// stores it as its credential document, the detector as its status document and as the base of what it tracks, the
/// prober as the base of its targets — so a new life event is taught here once.
/// Immutable: <see cref="Apply(object, long)"/> returns a new state. It is the one way in: the typed <c>When</c> methods
/// behind it are private, so no event is folded without advancing the version, and are not named as Marten's
/// conventional methods, which would make every derived read model an aggregate of its own. Not sealed: a read model that knows more (the detector's last
/// seen) derives from it, starting from a folded state through the record's copy constructor, and <c>with</c> keeps
/// the derived members, so one fold evolves every read model.
/// </summary>
public record MachineState
{
    public required Guid Id { get; init; }
    /// <summary>
    /// The version of the machine's stream folded in. Every event on the stream advances it (<see cref="Apply(object, long)"/>),
    /// also the ones no member reflects, because transitions are appended expecting exactly this version.
    /// </summary>
    public long Version { get; set; }
    public required string Name { get; init; }
    public string? Hostname { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>The parent machine (a switch, a host) this one is reachable through; carried to the notifier.</summary>
    public Guid? DependsOn { get; init; }
    public TimeSpan? OfflineThreshold { get; init; }
    public TimeSpan? ExpectedInterval { get; init; }
    /// <summary>A job that runs at set times: expected at every occurrence instead of every interval.</summary>
    public CronSchedule? Schedule { get; init; }
    /// <summary>How long a started run may take before it is an outage; null: the offline threshold.</summary>
    public TimeSpan? MaxRunDuration { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    /// <summary>When monitoring last (re)started: registration or resume. A resumed machine gets a full threshold.</summary>
    public DateTimeOffset MonitoredSince { get; init; }
    /// <summary>Digest of the machine token (never the token).</summary>
    public string TokenHash { get; init; } = "";
    /// <summary>Digest of the ping key, while one is issued.</summary>
    public string? PingKeyHash { get; init; }
    public bool Paused { get; init; }
    public bool Retired { get; init; }
    public Guid? OpenEpisodeId { get; init; }
    public DateTimeOffset? OfflineSince { get; init; }
    /// <summary>How the prober probes it (the private key only as ciphertext), if it is probed.</summary>
    public ProbeSettings? Probe { get; init; }
    public string? PinnedHostKey { get; init; }
    public string? LastProbeError { get; init; }
    public RunFinished? LastRun { get; init; }
    /// <summary>The warning spell under way (the machine reported warning and not ok since), if any.</summary>
    public Guid? WarningId { get; init; }

    public bool IsOffline => OpenEpisodeId is not null;

    /// <summary>Only machines with a probe that are neither paused nor retired are probed.</summary>
    public bool IsProbed => Probe is not null && !Paused && !Retired;

    [JasperFxIgnore] // not one of Marten's conventional methods: MachineStateProjection calls it
    public static MachineState Create(MachineRegistered e) => new()
    {
        Id = e.MachineId,
        Version = 1,
        Name = e.Name,
        Hostname = e.Hostname,
        Description = e.Description,
        Tags = e.Tags ?? [],
        DependsOn = e.DependsOn,
        OfflineThreshold = e.OfflineThreshold,
        ExpectedInterval = e.ExpectedInterval,
        Schedule = e.Schedule,
        MaxRunDuration = e.MaxRunDuration,
        RegisteredAt = e.RegisteredAt,
        MonitoredSince = e.RegisteredAt,
        TokenHash = e.TokenHash,
        Probe = e.Probe,
    };

    private MachineState When(MachineSettingsChanged e) => this with
    {
        Name = e.Name ?? Name,
        Hostname = e.Hostname ?? Hostname,
        Description = e.Description ?? Description,
        Tags = e.Tags ?? Tags,
        DependsOn = e.DependsOn is { } parent ? (parent == Guid.Empty ? null : parent) : DependsOn,
        OfflineThreshold = e.OfflineThreshold ?? OfflineThreshold,
        ExpectedInterval = e.ExpectedInterval ?? ExpectedInterval,
        Schedule = e.ScheduleRemoved ? null : e.Schedule ?? Schedule,
        MaxRunDuration = e.MaxRunDuration ?? MaxRunDuration,
        Probe = e.Probe ?? Probe,
        // A probe sent again (even unchanged) forgets the pinned host key: that is how an operator accepts a new key.
        PinnedHostKey = e.Probe is null ? PinnedHostKey : null,
        LastProbeError = e.Probe is null ? LastProbeError : null,
    };

    private MachineState When(MachineTokenRotated e) => this with { TokenHash = e.TokenHash };

    private MachineState When(PingKeyIssued e) => this with { PingKeyHash = e.KeyHash };

    private MachineState When(PingKeyRevoked e) => this with { PingKeyHash = null };

    private MachineState When(MonitoringPaused e) => this with { Paused = true };

    private MachineState When(MonitoringResumed e) => this with { Paused = false, MonitoredSince = e.ResumedAt };

    private MachineState When(MachineRetired e) => this with { Retired = true, PingKeyHash = null };

    /// <summary>Idempotent, so memory set ahead of the store (the detector's own appends) agrees with the store.</summary>
    private MachineState When(MachineWentOffline e) => this with { OpenEpisodeId = e.EpisodeId, OfflineSince = e.DetectedAt };

    /// <summary>Ends only the episode it names: an online for an older episode changes nothing.</summary>
    private MachineState When(MachineWentOnline e) => OpenEpisodeId == e.EpisodeId ? this with { OpenEpisodeId = null, OfflineSince = null } : this;

    private MachineState When(ProbeHostKeyPinned e) => this with { PinnedHostKey = e.Fingerprint };

    private MachineState When(ProbeFailed e) => this with { LastProbeError = e.Error };

    private MachineState When(ProbeRecovered e) => this with { LastProbeError = null };

    private MachineState When(RunFinished e) => this with { LastRun = e };

    /// <summary>Idempotent, like the transitions: the detector sets memory ahead of the store with the same event.</summary>
    private MachineState When(MachineReportedWarning e) => this with { WarningId = e.WarningId };

    /// <summary>Ends only the spell it names.</summary>
    private MachineState When(MachineWarningCleared e) => WarningId == e.WarningId ? this with { WarningId = null } : this;

    /// <summary>
    /// Folds one event of the machine's stream read back from the store, at its stream version. An event this
    /// state has no member for still advances <see cref="Version"/>. The result has the runtime type of this
    /// instance (a derived read model stays what it is).
    /// </summary>
    [JasperFxIgnore] // not one of Marten's conventional methods: MachineStateProjection calls it
    public MachineState Apply(object @event, long streamVersion) => (@event switch
    {
        MachineSettingsChanged e => When(e),
        MachineTokenRotated e => When(e),
        PingKeyIssued e => When(e),
        PingKeyRevoked e => When(e),
        MonitoringPaused e => When(e),
        MonitoringResumed e => When(e),
        MachineRetired e => When(e),
        MachineWentOffline e => When(e),
        MachineWentOnline e => When(e),
        ProbeHostKeyPinned e => When(e),
        ProbeFailed e => When(e),
        ProbeRecovered e => When(e),
        RunFinished e => When(e),
        MachineReportedWarning e => When(e),
        MachineWarningCleared e => When(e),
        _ => this,
    }) with { Version = streamVersion };

    /// <summary>The event types that live on a machine's stream (the heartbeats do not).</summary>
    public static readonly Type[] StreamEvents =
    [
        typeof(MachineRegistered), typeof(MachineSettingsChanged), typeof(MachineTokenRotated), typeof(PingKeyIssued),
        typeof(PingKeyRevoked), typeof(MonitoringPaused), typeof(MonitoringResumed), typeof(MachineRetired),
        typeof(MachineWentOffline), typeof(MachineWentOnline), typeof(ProbeHostKeyPinned), typeof(ProbeFailed),
        typeof(ProbeRecovered), typeof(RunFinished), typeof(MachineReportedWarning), typeof(MachineWarningCleared),
    ];
}
