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

    public static void Bind(DetectorOptions o, IConfiguration c)
    {
        o.OfflineThreshold = Durations.Read(c, o.OfflineThreshold, "Detector:OfflineThreshold", "MACHINE_OFFLINE_THRESHOLD");
        o.ExpectedInterval = Durations.Read(c, o.ExpectedInterval, "Detector:ExpectedInterval", "MACHINE_HEARTBEAT_CHECK_INTERVAL");
        o.Tick = Durations.Read(c, o.Tick, "Detector:Tick");
        o.Grace = Durations.Read(c, o.Grace, "Detector:Grace");
        if (c["Detector:RecentHeartbeats"] is { } recent)
            o.RecentHeartbeats = int.TryParse(recent, out var n) && n is >= 1 and <= 10_000
                ? n : throw new FormatException($"Detector:RecentHeartbeats must be a whole number from 1 to 10000, not '{recent}'.");
    }
}
