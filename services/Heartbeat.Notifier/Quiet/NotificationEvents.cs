namespace Heartbeat.Notifier.Quiet;

/// <summary>The kinds of notification a channel can choose to receive.</summary>
public static class NotificationEvents
{
    public const string Offline = "machine.offline";
    public const string Online = "machine.online";
    public const string Warning = "machine.warning";
    public const string Flapping = "machine.flapping";
    public const string Digest = "digest";
    public const string PlatformIncident = "platform.incident";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Offline, Online, Warning, Flapping, Digest, PlatformIncident };

    /// <summary>
    /// What a channel gets when it names no events: every outage and recovery and what stands in for them
    /// (flapping, digests), and platform incidents. Warnings are opt-in: a warning is a fresh heartbeat that
    /// reports a problem, not an outage, and the monitor this replaces never sent them.
    /// </summary>
    public static readonly IReadOnlySet<string> Default = new HashSet<string> { Offline, Online, Flapping, Digest, PlatformIncident };
}

/// <summary>Why a notification was not sent on its own; recorded in the delivery log.</summary>
public static class SuppressionReasons
{
    public const string Paused = "paused";
    public const string Preference = "preference";
    public const string Maintenance = "maintenance";
    public const string Dependency = "dependency";
    public const string Flapping = "flapping";
    public const string Digest = "digest";
}
