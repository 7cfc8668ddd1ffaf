using Heartbeat.Contracts.Events;

namespace Heartbeat.Detector.Status;

/// <summary>
/// A machine's past read from its own stream (registration, pauses, transitions, retirement) — never from
/// heartbeats, which retention removes — as spans of up, offline and paused time. Uptime, the dashboard's
/// timeline, the status page's day bars and "state at" are all this one fold.
/// </summary>
public static class MachineTimeline
{
    public const string Up = "up";
    public const string Offline = "offline";
    public const string Paused = "paused";

    /// <summary>A stretch in one state; <see cref="EpisodeId"/> names the outage an offline span belongs to.</summary>
    public sealed record Span(string State, DateTimeOffset From, DateTimeOffset To, Guid? EpisodeId)
    {
        public TimeSpan Length => To - From;
    }

    public sealed record Report(
        DateTimeOffset From, DateTimeOffset To, double UptimeRatio, TimeSpan Offline, TimeSpan Paused, TimeSpan Monitored,
        int Episodes, TimeSpan LongestOutage, IReadOnlyList<Span> Spans);

    /// <summary>The state at one instant: online, offline, paused or retired, and since when; null before registration.</summary>
    public sealed record StateAt(string Status, DateTimeOffset Since, Guid? EpisodeId);

    /// <summary>
    /// The machine's spans within [<paramref name="from"/>, <paramref name="to"/>), oldest first. Paused wins over an
    /// open outage (a paused machine is not judged), so an outage that is paused stops counting until resumed.
    /// Times are taken in stream order; a time earlier than the one before it counts as that one (clocks of
    /// different writers may disagree by milliseconds).
    /// </summary>
    /// <param name="events">The machine's stream, oldest first.</param>
    public static IReadOnlyList<Span> Spans(IEnumerable<object> events, DateTimeOffset from, DateTimeOffset to)
    {
        var spans = new List<Span>();
        var state = new Fold();
        foreach (var e in events)
        {
            if (state.Next(e) is not { } next) continue;
            var at = next < state.Since ? state.Since : next;
            var (before, since, episode) = (state.Current, state.Since, state.Episode);
            state.Apply(e, at);
            if (before is not null && (state.Current != before || state.Episode != episode || state.Retired))
                Add(spans, before, since, at, from, to, before == Offline ? episode : null);
            if (state.Retired) return spans;
        }
        if (state.Current is { } last) Add(spans, last, state.Since, to, from, to, last == Offline ? state.Episode : null);
        return spans;
    }

    public static Report Uptime(IEnumerable<object> events, DateTimeOffset from, DateTimeOffset to)
    {
        var spans = Spans(events, from, to);
        var offline = Sum(spans, Offline);
        var paused = Sum(spans, Paused);
        var monitored = offline + Sum(spans, Up);
        var outages = spans.Where(s => s.State == Offline).GroupBy(s => s.EpisodeId).Select(g => g.Aggregate(TimeSpan.Zero, (t, s) => t + s.Length)).ToList();
        var ratio = monitored > TimeSpan.Zero ? 1 - offline / monitored : 1;
        return new Report(from, to, ratio, offline, paused, monitored, outages.Count, outages.DefaultIfEmpty(TimeSpan.Zero).Max(), spans);
    }

    /// <summary>The state at <paramref name="at"/> from the events up to and including that instant; null before registration.</summary>
    public static StateAt? At(IEnumerable<object> events, DateTimeOffset at)
    {
        var state = new Fold();
        StateAt? answer = null;
        foreach (var e in events)
        {
            if (state.Next(e) is not { } time) continue;
            if (time > at) break;
            state.Apply(e, time < state.Since ? state.Since : time);
            answer = new StateAt(state.Status, state.Since, state.Status == "offline" ? state.Episode : null);
            if (state.Retired) break;
        }
        return answer;
    }

    private static TimeSpan Sum(IEnumerable<Span> spans, string state) =>
        spans.Where(s => s.State == state).Aggregate(TimeSpan.Zero, (t, s) => t + s.Length);

    private static void Add(List<Span> spans, string state, DateTimeOffset start, DateTimeOffset end, DateTimeOffset from, DateTimeOffset to, Guid? episode)
    {
        var s = start > from ? start : from;
        var e = end < to ? end : to;
        if (e <= s) return;
        // Consecutive stretches in the same state (a pause inside a pause, say) read as one.
        if (spans.Count > 0 && spans[^1] is { } previous && previous.State == state && previous.To == s && previous.EpisodeId == episode)
            spans[^1] = previous with { To = e };
        else
            spans.Add(new Span(state, s, e, episode));
    }

    /// <summary>The running state while reading a stream.</summary>
    private sealed class Fold
    {
        private bool _registered;
        private bool _paused;
        public Guid? Episode { get; private set; }
        public bool Retired { get; private set; }
        public DateTimeOffset Since { get; private set; } = DateTimeOffset.MinValue;

        /// <summary>The span state now; null before registration.</summary>
        public string? Current => !_registered ? null : _paused ? Paused : Episode is not null ? Offline : Up;

        public string Status => Retired ? "retired" : Current switch { Paused => "paused", Offline => "offline", _ => "online" };

        /// <summary>When the event takes effect; null for events that change nothing here.</summary>
        public DateTimeOffset? Next(object e) => e switch
        {
            MachineRegistered r => r.RegisteredAt,
            MonitoringPaused p => p.PausedAt,
            MonitoringResumed r => r.ResumedAt,
            MachineWentOffline o => o.DetectedAt,
            MachineWentOnline o => o.CameBackAt,
            MachineRetired r => r.RetiredAt,
            _ => null,
        };

        public void Apply(object e, DateTimeOffset at)
        {
            var (before, episode) = (Current, Episode);
            switch (e)
            {
                case MachineRegistered: _registered = true; break;
                case MonitoringPaused: _paused = true; break;
                case MonitoringResumed: _paused = false; break;
                case MachineWentOffline o: Episode = o.EpisodeId; break;
                case MachineWentOnline o when o.EpisodeId == Episode: Episode = null; break;
                case MachineRetired: Retired = true; break;
            }
            if (Current != before || Episode != episode || Retired) Since = at;
        }
    }
}
