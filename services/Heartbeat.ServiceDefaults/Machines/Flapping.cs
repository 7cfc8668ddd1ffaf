using Microsoft.Extensions.Configuration;

namespace Heartbeat.ServiceDefaults.Machines;

/// <summary>
/// More than <see cref="Transitions"/> transitions of one machine within <see cref="Window"/> is flapping. One setting
/// for the whole platform (<c>Heartbeat:Flapping:Transitions</c>, <c>Heartbeat:Flapping:Window</c>), read by the
/// notifier (which tells it) and the detector (which shows it), so the two always agree.
/// </summary>
public sealed record FlappingOptions(int Transitions = 5, TimeSpan? WindowLength = null)
{
    public TimeSpan Window => WindowLength ?? TimeSpan.FromMinutes(30);

    /// <summary>The configured rule; a value that cannot be read or makes no sense fails start-up, naming the setting.</summary>
    public static FlappingOptions Read(IConfiguration configuration)
    {
        var options = new FlappingOptions(
            configuration.GetValue("Heartbeat:Flapping:Transitions", 5),
            Durations.Read(configuration, TimeSpan.FromMinutes(30), "Heartbeat:Flapping:Window"));
        return options.Problem() is { } problem ? throw new InvalidOperationException(problem) : options;
    }

    public string? Problem() =>
        Transitions < 1 ? "Heartbeat:Flapping:Transitions must be at least 1."
        : Window < TimeSpan.FromSeconds(1) ? "Heartbeat:Flapping:Window must be at least 1s."
        : null;
}

/// <summary>
/// The flapping rule, pure. A flapping episode begins with the transition that makes more than N within the window,
/// and ends (stable again) once the machine has held one state for a whole window. The notifier takes one step per
/// transition (<see cref="Step"/>, with the open episode it stored); the detector folds a machine's whole history
/// (<see cref="InEpisode"/>) — the same steps, so both say the same.
/// </summary>
public static class Flapping
{
    /// <summary>Whether the machine flaps at <paramref name="now"/>, given the times of its transitions (the newest included).</summary>
    public static bool IsFlapping(IEnumerable<DateTimeOffset> transitions, DateTimeOffset now, FlappingOptions options) =>
        transitions.Count(t => t > now - options.Window && t <= now) > options.Transitions;

    /// <summary>A flapping machine is stable again once it has held one state for a whole window.</summary>
    public static bool IsStableAgain(DateTimeOffset lastTransition, DateTimeOffset now, FlappingOptions options) =>
        now - lastTransition >= options.Window;

    /// <summary>
    /// Whether a transition at <paramref name="at"/> is part of a flapping episode: the open one continues if the
    /// machine did not hold still for a window since <paramref name="openLastTransition"/> (the open episode's latest
    /// transition; null when none is open), else one begins if the transitions within the window (this one included) are too many.
    /// </summary>
    public static bool Step(DateTimeOffset? openLastTransition, IEnumerable<DateTimeOffset> transitions, DateTimeOffset at, FlappingOptions options) =>
        openLastTransition is { } last && !IsStableAgain(last, at, options) || IsFlapping(transitions, at, options);

    /// <summary>Whether the machine is in a flapping episode at <paramref name="now"/>, from the times of all its transitions.</summary>
    public static bool InEpisode(IEnumerable<DateTimeOffset> transitions, DateTimeOffset now, FlappingOptions options)
    {
        var seen = new List<DateTimeOffset>();
        DateTimeOffset? open = null;
        foreach (var t in transitions.Where(t => t <= now).Order())
        {
            seen.Add(t);
            open = Step(open, seen, t, options) ? t : null;
        }
        return open is { } last && !IsStableAgain(last, now, options);
    }
}
