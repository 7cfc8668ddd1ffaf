using Heartbeat.ServiceDefaults;

namespace Heartbeat.Detector;

public sealed class DetectorOptions
{
    /// <summary>Silence after which a machine without its own threshold is offline. Detector:OfflineThreshold or MACHINE_OFFLINE_THRESHOLD; default 2 m.</summary>
    public TimeSpan OfflineThreshold { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often a machine without its own interval is expected to send; past it the machine shows as late. Detector:ExpectedInterval or MACHINE_HEARTBEAT_CHECK_INTERVAL; default 30 s.</summary>
    public TimeSpan ExpectedInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often deadlines are judged. Detector:Tick; default 100 ms.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Allowance for commit and read-back lag before silence counts. Detector:Grace; default 250 ms.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Heartbeats kept per machine for the detail views (<c>RecentHeartbeats</c>). Detector:RecentHeartbeats; default 50.</summary>
    public int RecentHeartbeats { get; set; } = 50;
    /// <summary>
    /// The platform's public address (the gateway) the canary heartbeats are sent through, end to end.
    /// Detector:CanaryUrl; unset = no canary: silence is judged on the store's evidence alone (a warning at start).
    /// </summary>
    public Uri? CanaryUrl { get; set; }

    /// <summary>How often the canary sends. Detector:CanaryInterval; default 1 s.</summary>
    public TimeSpan CanaryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Canary silence after which intake counts as interrupted. Detector:CanaryTimeout; default 3 s.</summary>
    public TimeSpan CanaryTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A canary whose heartbeats stopped this long before the newest canary heartbeat belongs to an instance that
    /// crashed (a graceful stop retires its own): the leader retires it. Detector:CanaryAbandonedAfter; default 1 min.
    /// </summary>
    public TimeSpan CanaryAbandonedAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the leader checks the session that holds its lock (standbys wait on the lock itself). Detector:LeaderPoll; default 250 ms.</summary>
    public TimeSpan LeaderPoll { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>An external dead-man's switch POSTed to while detection is healthy. Detector:WatchdogUrl; unset = none.</summary>
    public Uri? WatchdogUrl { get; set; }

    /// <summary>How often the watchdog is POSTed to. Detector:WatchdogInterval; default 30 s.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromSeconds(30);

    public static void Bind(DetectorOptions o, IConfiguration c)
    {
        o.OfflineThreshold = Durations.Read(c, o.OfflineThreshold, "Detector:OfflineThreshold", "MACHINE_OFFLINE_THRESHOLD");
        o.ExpectedInterval = Durations.Read(c, o.ExpectedInterval, "Detector:ExpectedInterval", "MACHINE_HEARTBEAT_CHECK_INTERVAL");
        o.Tick = Durations.Read(c, o.Tick, "Detector:Tick");
        o.Grace = Durations.Read(c, o.Grace, "Detector:Grace");
        if (c["Detector:RecentHeartbeats"] is { } recent)
            o.RecentHeartbeats = int.TryParse(recent, out var n) && n is >= 1 and <= 10_000
                ? n : throw new FormatException($"Detector:RecentHeartbeats must be a whole number from 1 to 10000, not '{recent}'.");
        o.CanaryUrl = ReadUrl(c, "Detector:CanaryUrl");
        o.CanaryInterval = Durations.Read(c, o.CanaryInterval, "Detector:CanaryInterval");
        o.CanaryTimeout = Durations.Read(c, o.CanaryTimeout, "Detector:CanaryTimeout");
        o.CanaryAbandonedAfter = Durations.Read(c, o.CanaryAbandonedAfter, "Detector:CanaryAbandonedAfter");
        o.LeaderPoll = Durations.Read(c, o.LeaderPoll, "Detector:LeaderPoll");
        o.WatchdogUrl = ReadUrl(c, "Detector:WatchdogUrl");
        o.WatchdogInterval = Durations.Read(c, o.WatchdogInterval, "Detector:WatchdogInterval");
    }

    /// <summary>Why these options cannot run, or null. Checked on start.</summary>
    public string? Problem() =>
        new[] { OfflineThreshold, ExpectedInterval, Tick, Grace, CanaryInterval, CanaryTimeout, CanaryAbandonedAfter, LeaderPoll, WatchdogInterval }.Any(d => d <= TimeSpan.Zero)
            ? "Every Detector duration must be positive."
            : CanaryTimeout <= CanaryInterval
                ? "Detector:CanaryTimeout must be longer than Detector:CanaryInterval, or every canary gap would count as an interruption."
            : CanaryAbandonedAfter <= CanaryTimeout
                ? "Detector:CanaryAbandonedAfter must be longer than Detector:CanaryTimeout, or a live instance's canary could be retired."
                : new[] { CanaryUrl, WatchdogUrl }.Any(u => u is not null && u.Scheme is not ("http" or "https"))
                    ? "Detector:CanaryUrl and Detector:WatchdogUrl must be absolute http(s) URLs."
                    : null;

    private static Uri? ReadUrl(IConfiguration c, string key) =>
        c[key] is { Length: > 0 } value
            ? Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : throw new InvalidOperationException($"{key} is not an absolute URL: '{value}'.")
            : null;
}
