using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Detection;

/// <summary>One interruption of intake as the detector uses it; <see cref="End"/> null while it lasts.</summary>
public sealed record IntakeInterruption(Guid Id, DateTimeOffset Start, DateTimeOffset? End, string Cause);

/// <summary>
/// What the detector knows of the canary. Two clocks, each used for its own comparison: heartbeat times
/// (<see cref="CanarySeenAt"/>, interruption start and end) are ingest's server clock, like every last seen and
/// deadline; whether the canary is overdue is decided on the detector's own clock alone, from when it last saw a
/// new canary heartbeat (<see cref="CanaryObservedAt"/>), so clock skew between hosts cannot fake an interruption.
/// </summary>
public sealed record IntakeWatch(
    DateTimeOffset? CanarySeenAt,
    DateTimeOffset CanaryObservedAt,
    bool ArrivedThisTerm,
    IntakeInterruption? Open);

/// <summary>Pure decisions about intake: is it interrupted, restored, and how far does that move a deadline.</summary>
public static class IntakeDecisions
{
    /// <summary>
    /// One look at the canary. A newer canary heartbeat than before closes an open interruption
    /// (<see cref="IntakeRestored"/>), or, if the gap since the previous one (watched in this term) was longer than
    /// <paramref name="timeout"/>, records the whole gap at once. No new canary heartbeat for longer than
    /// <paramref name="timeout"/> on the detector's clock opens one (<see cref="IntakeInterrupted"/>), starting at
    /// the last canary heartbeat that did arrive: the last moment intake was known to work.
    /// </summary>
    public static (IntakeWatch Watch, IReadOnlyList<object> Events) Observe(
        IntakeWatch watch, DateTimeOffset? canarySeenAt, DateTimeOffset now, TimeSpan timeout, string cause, Guid newId)
    {
        if (canarySeenAt is { } seen && (watch.CanarySeenAt is not { } previous || seen > previous))
        {
            var arrived = new IntakeWatch(seen, now, ArrivedThisTerm: true, Open: null);
            if (watch.Open is { } open)
                return (arrived, [Restored(open, seen)]);
            if (watch.ArrivedThisTerm && watch.CanarySeenAt is { } before && seen - before > timeout)
            {
                var gap = new IntakeInterruption(newId, before, null, cause);
                return (arrived, [new IntakeInterrupted(newId, before, cause, now), Restored(gap, seen)]);
            }
            return (arrived, []);
        }
        // Overdue only counts once a canary arrived in this term: before that nothing is judged anyway, and a
        // platform still starting (the gateway not up yet) is no interruption to record.
        if (watch is { Open: null, ArrivedThisTerm: true } && now - watch.CanaryObservedAt > timeout)
        {
            var start = watch.CanarySeenAt ?? now - timeout;
            return (watch with { Open = new IntakeInterruption(newId, start, null, cause) }, [new IntakeInterrupted(newId, start, cause, now)]);
        }
        return (watch, []);
    }

    /// <summary>
    /// The stretches of an unwatched window (no detector was reading) in which no heartbeat of any machine reached
    /// the store for longer than <paramref name="timeout"/>: intake did not work then, or nothing can show it did.
    /// <paramref name="received"/> are the commit times of the heartbeats stored in the window, in order; the
    /// window runs from <paramref name="from"/> (the last canary read) to <paramref name="now"/>. A hole reaching
    /// <paramref name="now"/> is returned open: it closes when this term's first canary arrives.
    /// </summary>
    public static List<IntakeInterruption> Holes(DateTimeOffset from, IEnumerable<DateTimeOffset> received, DateTimeOffset now, TimeSpan timeout, string cause)
    {
        var holes = new List<IntakeInterruption>();
        var previous = from;
        foreach (var at in received.Append(now))
        {
            if (at - previous > timeout)
                holes.Add(new IntakeInterruption(Guid.CreateVersion7(), previous, at == now ? null : at, cause));
            if (at > previous) previous = at;
        }
        return holes;
    }

    /// <summary>
    /// Up to when silence is evidence: the last canary heartbeat proved intake worked until then, and the next one
    /// is due one <paramref name="canaryInterval"/> later (plus <paramref name="grace"/> for its commit and read-back).
    /// Before the first canary of a term, or while an interruption is open, nothing is.
    /// </summary>
    public static DateTimeOffset JudgeableUntil(IntakeWatch watch, TimeSpan canaryInterval, TimeSpan grace) =>
        watch is { ArrivedThisTerm: true, Open: null, CanarySeenAt: { } seen } ? seen + canaryInterval + grace : DateTimeOffset.MinValue;

    /// <summary>
    /// A machine's deadline once intake interruptions are taken out of its silence: every interruption that began
    /// before the deadline and ended after the machine's last heartbeat moves it by the interruption's length plus
    /// one expected interval, so the agent has time to send again. An interruption still open moves it out of reach.
    /// </summary>
    public static DateTimeOffset? EffectiveDeadline(
        TrackedMachine machine, TimeSpan defaultThreshold, TimeSpan defaultInterval, IReadOnlyList<IntakeInterruption> interruptions)
    {
        if (machine.Deadline(defaultThreshold) is not { } deadline) return null;
        var from = machine.LastSeenAt is { } seen && seen > machine.MonitoredSince ? seen : machine.MonitoredSince;
        var interval = machine.ExpectedInterval ?? defaultInterval;
        foreach (var i in interruptions.OrderBy(i => i.Start))
        {
            if (i.Start >= deadline || (i.End is { } ended && ended <= from)) continue;
            if (i.End is not { } end) return DateTimeOffset.MaxValue;
            deadline += end - i.Start + interval;
        }
        return deadline;
    }

    private static IntakeRestored Restored(IntakeInterruption open, DateTimeOffset end) =>
        new(open.Id, open.Start, end, end > open.Start ? end - open.Start : TimeSpan.Zero, open.Cause);
}
