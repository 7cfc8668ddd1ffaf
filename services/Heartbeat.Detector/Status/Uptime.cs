using Heartbeat.Contracts.Events;

namespace Heartbeat.Detector.Status;

/// <summary>How much of a window a machine was not offline, computed from its transitions alone (never from heartbeats, which retention removes).</summary>
public static class Uptime
{
    public sealed record Report(DateTimeOffset From, DateTimeOffset To, double UptimeRatio, double OfflineSeconds, int Episodes);

    /// <param name="transitions">The machine's offline/online events, oldest first.</param>
    public static Report Compute(IEnumerable<object> transitions, DateTimeOffset registeredAt, DateTimeOffset from, DateTimeOffset to)
    {
        if (from < registeredAt) from = registeredAt;
        if (to <= from) return new Report(from, to, 1, 0, 0);

        var offline = TimeSpan.Zero;
        var episodes = 0;
        DateTimeOffset? since = null;
        foreach (var t in transitions)
        {
            switch (t)
            {
                case MachineWentOffline off:
                    since = off.DetectedAt;
                    break;
                case MachineWentOnline on when since is { } start:
                    offline += Overlap(start, on.CameBackAt, from, to);
                    if (on.CameBackAt > from && start < to) episodes++;
                    since = null;
                    break;
            }
        }
        if (since is { } open)
        {
            offline += Overlap(open, to, from, to);
            if (open < to) episodes++;
        }
        var window = to - from;
        return new Report(from, to, 1 - offline / window, offline.TotalSeconds, episodes);
    }

    private static TimeSpan Overlap(DateTimeOffset start, DateTimeOffset end, DateTimeOffset from, DateTimeOffset to)
    {
        var s = start > from ? start : from;
        var e = end < to ? end : to;
        return e > s ? e - s : TimeSpan.Zero;
    }
}
