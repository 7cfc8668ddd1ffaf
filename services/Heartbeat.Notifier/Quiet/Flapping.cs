namespace Heartbeat.Notifier.Quiet;

/// <summary>More than <see cref="Transitions"/> transitions of one machine within <see cref="Window"/> is flapping.</summary>
public sealed record FlappingOptions(int Transitions = 5, TimeSpan? WindowLength = null)
{
    public TimeSpan Window => WindowLength ?? TimeSpan.FromMinutes(30);
}

public static class Flapping
{
    /// <summary>Whether the machine flaps at <paramref name="now"/>, given the times of its transitions (the newest included).</summary>
    public static bool IsFlapping(IEnumerable<DateTimeOffset> transitions, DateTimeOffset now, FlappingOptions options) =>
        transitions.Count(t => t > now - options.Window && t <= now) > options.Transitions;

    /// <summary>A flapping machine is stable again once it has held one state for a whole window.</summary>
    public static bool IsStableAgain(DateTimeOffset lastTransition, DateTimeOffset now, FlappingOptions options) =>
        now - lastTransition >= options.Window;
}
