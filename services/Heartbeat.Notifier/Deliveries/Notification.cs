using System.Text.Json;
using System.Text.Json.Serialization;
using Heartbeat.Contracts.Messages;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// What a delivery says, stored with it (as JSON) so that every attempt sends the same thing, whichever replica
/// sends it and however late. <see cref="LastSeen"/> is the last heartbeat before an offline, the first one after for an online.
/// <see cref="DetectedLate"/>: a past outage the detector found after the fact (it was down or behind); only its online
/// is sent, once, and says so — the machine is up by the time anyone reads it.
/// <see cref="Reminder"/>: the offline repeated, the n-th time, because the machine is still down (<see cref="Reminders"/>).
/// <see cref="DependentsUnreachable"/>: an offline's count of the machines behind it that are silent too (<c>depends_on</c>).
/// <see cref="Message"/>: what a machine reporting a warning said. <see cref="Transitions"/>, <see cref="Window"/> and
/// <see cref="State"/>: a flapping notice (how many transitions within the window, the state it is in) or its end
/// (the state it settled in). <see cref="EpisodeId"/> is the warning spell's or the flapping episode's id for those.
/// <see cref="Digest"/>, <see cref="Incident"/>: a fleet-wide notification that names no single machine (<see cref="FleetNotices"/>).
/// </summary>
public sealed record Notification(
    string Kind,
    MachineSnapshot Machine,
    Guid EpisodeId,
    DateTimeOffset OccurredAt,
    DateTimeOffset? LastSeen,
    DateTimeOffset? OfflineSince = null,
    TimeSpan? Downtime = null,
    bool DetectedLate = false,
    int? Reminder = null,
    int? DependentsUnreachable = null,
    string? Message = null,
    int? Transitions = null,
    TimeSpan? Window = null,
    string? State = null,
    DigestNote? Digest = null,
    IncidentNote? Incident = null)
{
    public const string Offline = "offline";
    public const string Online = "online";
    public const string Warning = "warning";
    public const string WarningCleared = "warning_cleared";
    public const string FlappingStarted = "flapping";
    public const string StableAgain = "stable";

    public string Event => Kind switch
    {
        Offline => "machine.offline",
        Warning or WarningCleared => "machine.warning",
        FlappingStarted or StableAgain => "machine.flapping",
        _ => "machine.online",
    };

    /// <summary>The machine's state as a notification tells it (the webhook's <c>machine.status</c>).</summary>
    [JsonIgnore]
    public string MachineStatus => Kind switch
    {
        WarningCleared => Online,
        FlappingStarted or StableAgain => State ?? Online,
        _ => Kind,
    };

    public static Notification Of(MachineWentOffline m) =>
        new(Offline, m.Machine, m.EpisodeId, m.DetectedAt, m.LastSeenAt, DependentsUnreachable: m.DependentsUnreachable is > 0 ? m.DependentsUnreachable : null);

    public static Notification Of(MachineWentOnline m) =>
        new(Online, m.Machine, m.EpisodeId, m.CameBackAt, m.CameBackAt, m.OfflineSince, m.Downtime, m.DetectedLate);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static Notification FromJson(string json) => JsonSerializer.Deserialize<Notification>(json, Json)!;
}

/// <summary>Why a notification went to a fallback channel: the channel that failed for good, and how.</summary>
public sealed record FallbackNote(Guid FailedChannelId, string FailedChannelName, string Reason);

/// <summary>One send: the delivery's stable id (receivers de-duplicate on it), what to say, and why here if it is a fallback.</summary>
public sealed record Outgoing(string DeliveryId, Notification Notification, FallbackNote? Fallback);
