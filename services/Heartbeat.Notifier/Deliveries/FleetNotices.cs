using Heartbeat.Contracts.Messages;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>One machine in a storm digest: who it is and when it changed.</summary>
public sealed record DigestMachine(Guid Id, string Name, string? Hostname, IReadOnlyList<string> Tags, Guid EpisodeId, DateTimeOffset At, DateTimeOffset? LastSeen);

/// <summary>
/// A storm digest: the machines that went <see cref="Of"/> (<c>offline</c> or <c>online</c>) within one window
/// (<see cref="From"/> to <see cref="Until"/>) beyond the first ones told on their own, for one channel.
/// </summary>
public sealed record DigestNote(Guid DigestId, string Of, DateTimeOffset From, DateTimeOffset Until, IReadOnlyList<DigestMachine> Machines, string DashboardUrl);

/// <summary>A platform incident (heartbeat intake interrupted), as it <see cref="State"/>s: <c>started</c> or <c>ended</c>.</summary>
public sealed record IncidentNote(Guid IncidentId, string State, DateTimeOffset Start, DateTimeOffset? End, TimeSpan? Duration, string Cause, string DashboardUrl);

/// <summary>
/// Fleet-wide notifications: storm digests and platform incidents. They name no machine, so their delivery rows
/// carry <see cref="NoMachine"/> as machine id and the digest's or incident's id as episode id, and their
/// notification a stand-in machine that no sender shows (each sender renders <see cref="DigestNote"/> and
/// <see cref="IncidentNote"/> instead). Kinds and webhook events:
/// <c>digest</c> (event <c>digest</c>), <c>incident.started</c> and <c>incident.ended</c> (event <c>platform.incident</c>).
/// </summary>
public static class FleetNotices
{
    public const string Digest = "digest";
    public const string IncidentStarted = "incident.started";
    public const string IncidentEnded = "incident.ended";

    public static readonly Guid NoMachine = Guid.Empty;

    private static readonly MachineSnapshot Platform = new() { Id = NoMachine, Name = "Heartbeat.Platform" };

    public static Notification Of(DigestNote digest) =>
        new(Digest, Platform, digest.DigestId, digest.Until, null, Digest: digest);

    public static Notification Of(IncidentNote incident) =>
        new(incident.State == "started" ? IncidentStarted : IncidentEnded, Platform, incident.IncidentId,
            incident.End ?? incident.Start, null, Incident: incident);
}
