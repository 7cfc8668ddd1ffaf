namespace Heartbeat.Notifier.Quiet;

/// <summary>More than <see cref="Machines"/> machines changing the same way within <see cref="Window"/> is a storm.</summary>
public sealed record StormOptions(int Machines = 20, TimeSpan? WindowLength = null)
{
    public TimeSpan Window => WindowLength ?? TimeSpan.FromSeconds(30);
}

/// <summary>One machine's transition of one kind (offline or online), at the moment it happened.</summary>
public sealed record StormTransition(Guid Machine, Guid Episode, DateTimeOffset At);

/// <summary>A digest still gathering: transitions merged into it are sent together at <see cref="DueAt"/>.</summary>
public sealed record OpenDigest(Guid Id, DateTimeOffset OpenedAt, DateTimeOffset DueAt);

/// <summary>What becomes of one transition: told on its own (<see cref="Digest"/> null), or merged into that digest.</summary>
public sealed record StormVerdict(StormTransition Transition, Guid? Digest);

/// <summary>
/// A rack or a network going dark is told once. The first <see cref="StormOptions.Machines"/> transitions of a
/// kind within the window are sent on their own, on time (most windows never reach the threshold, and nobody
/// should wait for a digest that never comes); every further one within the window is merged into one digest
/// per channel, sent when the window closes. A storm that goes on opens a digest per window. Once fewer than the
/// threshold changed within a window, individual notifications resume.
/// </summary>
public static class Storm
{
    /// <summary>
    /// Whether a transition at <paramref name="at"/> goes into a digest, given the times of the other machines'
    /// transitions of the same kind already recorded: at least <see cref="StormOptions.Machines"/> of them within one
    /// window of it. Within, on either side: transitions reach the notifier in about the order they happened, but
    /// not exactly (two replicas, batches), and one recorded before it that happened after it still counts.
    /// </summary>
    public static bool GoesIntoDigest(IEnumerable<DateTimeOffset> sameKind, DateTimeOffset at, StormOptions options) =>
        sameKind.Count(t => t > at - options.Window && t < at + options.Window) >= options.Machines;

    /// <summary>
    /// Whether a storm is possible at all among this many transitions of a kind within the window: one is merged only
    /// when more than <see cref="StormOptions.Machines"/> other machines changed near it, so with no more than that in
    /// all, none is (and nothing need be counted or read).
    /// </summary>
    public static bool Possible(long transitions, StormOptions options) => transitions > options.Machines;

    /// <summary>Where the transitions that count for <paramref name="arriving"/> lie: from one window before the first to one window after the last.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) WindowAround(IReadOnlyList<StormTransition> arriving, StormOptions options) =>
        (arriving.Min(t => t.At) - options.Window, arriving.Max(t => t.At) + options.Window);

    /// <summary>When the digest that a transition at <paramref name="at"/> joined is sent.</summary>
    public static DateTimeOffset DigestDueAt(DateTimeOffset firstMerged, StormOptions options) => firstMerged + options.Window;

    /// <summary>
    /// Judges <paramref name="arriving"/> transitions (one kind) in the order they happened, each against what was
    /// recorded before plus the ones judged before it (one per machine: a machine flapping within the window counts
    /// once). A merged one joins the open digest whose window holds it (from one window before it opened until it is
    /// due), else opens a new one, due a window later. Returns the verdicts and the digests opened.
    /// </summary>
    public static (IReadOnlyList<StormVerdict> Verdicts, IReadOnlyList<OpenDigest> Opened) Judge(
        IReadOnlyList<StormTransition> recorded, IReadOnlyList<OpenDigest> open, IReadOnlyList<StormTransition> arriving,
        StormOptions options, Func<Guid> newId)
    {
        var order = arriving.OrderBy(t => t.At).ThenBy(t => t.Machine);
        // Not counted when no storm is possible: counting is quadratic in the transitions within the window, which
        // matters when the threshold is set high to turn storms off.
        if (!Possible(recorded.Count + arriving.Count, options)) return (order.Select(t => new StormVerdict(t, null)).ToList(), []);
        var known = recorded.ToList();
        var digests = open.OrderBy(d => d.OpenedAt).ToList();
        var opened = new List<OpenDigest>();
        var verdicts = new List<StormVerdict>(arriving.Count);
        foreach (var t in order)
        {
            // Distinct machines: one flapping within the window counts once. Stops counting at the threshold.
            var inStorm = known.Where(k => k.Machine != t.Machine && k.At > t.At - options.Window && k.At < t.At + options.Window)
                .Select(k => k.Machine).Distinct().Take(options.Machines).Count() >= options.Machines;
            Guid? digest = null;
            if (inStorm)
            {
                var joined = DigestFor(digests, t.At, options);
                if (joined is null)
                {
                    joined = new OpenDigest(newId(), t.At, DigestDueAt(t.At, options));
                    digests.Add(joined);
                    opened.Add(joined);
                }
                digest = joined.Id;
            }
            verdicts.Add(new StormVerdict(t, digest));
            known.Add(t);
        }
        return (verdicts, opened);
    }

    /// <summary>The earliest open digest whose window holds <paramref name="at"/>: due after it, opened less than a window after it.</summary>
    public static OpenDigest? DigestFor(IEnumerable<OpenDigest> open, DateTimeOffset at, StormOptions options) =>
        open.Where(d => at < d.DueAt && at > d.OpenedAt - options.Window).OrderBy(d => d.OpenedAt).FirstOrDefault();
}
