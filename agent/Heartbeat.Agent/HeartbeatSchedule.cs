namespace Heartbeat.Agent;

/// <summary>
/// When the agent sends. Heartbeats are due on a fixed grid, <c>start + k × interval</c>, each moved by a
/// small random jitter (±5 % of the interval) so that a fleet started together does not send in lock-step.
/// Because every due time is computed from the grid, never from the previous send, slow sends, checks
/// and retries cannot make the schedule drift. A failed send is retried after a back-off (0.5 s, 1 s, 2 s,
/// … with jitter) but never later than the next due time, and once the back-off reaches the interval
/// only the due times are tried; and due times missed while a send was under way
/// are skipped, not caught up: at most one request is in flight, and an outage costs the platform a few
/// quick retries and then the normal rate, never a burst.
/// </summary>
public sealed class HeartbeatSchedule(TimeSpan interval, DateTimeOffset start, Random random)
{
    public const double JitterFraction = 0.05;
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

    public TimeSpan Interval => interval;

    /// <summary>The first due time strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset NextDue(DateTimeOffset now)
    {
        var k = Math.Max(0, (long)Math.Floor((now - start) / interval));
        while (true)
        {
            var due = start + interval * k + Jitter(k);
            if (due > now) return due;
            k++;
        }
    }

    /// <summary>When to try next after <paramref name="failures"/> failed attempts in a row (0 after a success).</summary>
    public DateTimeOffset NextAttempt(DateTimeOffset now, int failures)
    {
        var due = NextDue(now);
        if (failures == 0 || RetryDelay(failures) is not { } delay) return due;
        var retry = now + delay;
        return retry < due ? retry : due;
    }

    /// <summary>
    /// Exponential from <see cref="FirstRetryDelay"/> with up to half of it random; null once it reaches the
    /// interval, from when on the due times alone are the retries (the normal rate, never more).
    /// </summary>
    public TimeSpan? RetryDelay(int failures)
    {
        var exponential = FirstRetryDelay * Math.Pow(2, Math.Min(failures - 1, 30));
        return exponential < interval ? exponential * (0.5 + random.NextDouble() * 0.5) : null;
    }

    // Derived from the grid index (deterministically, unlike HashCode), so a due time's jitter is the same
    // however often it is asked for.
    private TimeSpan Jitter(long k) =>
        k == 0 ? TimeSpan.Zero : interval * JitterFraction * (2 * new Random(unchecked(_seed * 397 ^ (int)k)).NextDouble() - 1);

    private readonly int _seed = random.Next();
}
