namespace Heartbeat.Notifier.Quiet;

/// <summary>More than <see cref="Machines"/> machines changing the same way within <see cref="Window"/> is a storm.</summary>
public sealed record StormOptions(int Machines = 20, TimeSpan? WindowLength = null)
{
    public TimeSpan Window => WindowLength ?? TimeSpan.FromSeconds(30);
}

/// <summary>
/// A rack or a network going dark is told once. The first <see cref="StormOptions.Machines"/> transitions of a
/// kind within the window are sent on their own, on time (most windows never reach the threshold, and nobody
/// should wait for a digest that never comes); every further one within the window is merged into one digest
/// per channel, sent when the window closes. Once a window passes with no more than the threshold, individual
/// notifications resume.
/// </summary>
public static class Storm
{
    /// <summary>
    /// Whether a transition at <paramref name="at"/> goes into a digest, given the times of the other transitions
    /// of the same kind (offline or online) fleet-wide.
    /// </summary>
    public static bool GoesIntoDigest(IEnumerable<DateTimeOffset> sameKind, DateTimeOffset at, StormOptions options) =>
        sameKind.Count(t => t > at - options.Window && t <= at) >= options.Machines;

    /// <summary>When the digest that a transition at <paramref name="at"/> joined is sent.</summary>
    public static DateTimeOffset DigestDueAt(DateTimeOffset firstMerged, StormOptions options) => firstMerged + options.Window;
}
