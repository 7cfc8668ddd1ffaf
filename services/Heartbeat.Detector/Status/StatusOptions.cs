using Heartbeat.ServiceDefaults;

namespace Heartbeat.Detector.Status;

/// <summary>The status board and its live stream (configuration section Status).</summary>
public sealed class StatusOptions
{
    /// <summary>How often the board recomputes every machine's status and announces changes. Status:Refresh; default 250 ms.</summary>
    public TimeSpan Refresh { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Silence after which the stream sends a comment, so proxies keep it open: YARP ends a response with no
    /// activity for its ActivityTimeout (100 s by default). Status:KeepAlive; default 15 s.
    /// </summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Changes kept for clients that reconnect with Last-Event-ID. Status:ReplayCapacity; default 10,000.</summary>
    public int ReplayCapacity { get; set; } = 10_000;

    public static void Bind(StatusOptions o, IConfiguration c)
    {
        o.Refresh = Durations.Read(c, o.Refresh, "Status:Refresh");
        o.KeepAlive = Durations.Read(c, o.KeepAlive, "Status:KeepAlive");
        if (c["Status:ReplayCapacity"] is { } capacity)
            o.ReplayCapacity = int.TryParse(capacity, out var n) && n is >= 100 and <= 1_000_000
                ? n : throw new InvalidOperationException($"Status:ReplayCapacity = '{capacity}' must be a number from 100 to 1000000.");
    }
}
