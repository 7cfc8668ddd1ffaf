namespace Heartbeat.Detector.Leadership;

/// <summary>This instance's role, as the election and the watcher last set it. Read by health, the watchdog and the platform API.</summary>
public sealed class Leadership
{
    private long _since = long.MinValue;
    private long _judgingSince = long.MinValue;

    public bool IsLeader => LeaderSince is not null;

    /// <summary>When this instance took the lock, or null while it is a standby.</summary>
    public DateTimeOffset? LeaderSince => Read(ref _since);

    /// <summary>When the watcher of this term first judged (memory loaded, caught up, intake proven), or null.</summary>
    public DateTimeOffset? JudgingSince => Read(ref _judgingSince);

    public void Lead(DateTimeOffset at)
    {
        Interlocked.Exchange(ref _judgingSince, long.MinValue);
        Interlocked.Exchange(ref _since, at.UtcTicks);
    }

    public void Judging(DateTimeOffset at) => Interlocked.CompareExchange(ref _judgingSince, at.UtcTicks, long.MinValue);

    public void StandBy()
    {
        Interlocked.Exchange(ref _since, long.MinValue);
        Interlocked.Exchange(ref _judgingSince, long.MinValue);
    }

    private static DateTimeOffset? Read(ref long ticks)
    {
        var value = Interlocked.Read(ref ticks);
        return value == long.MinValue ? null : new DateTimeOffset(value, TimeSpan.Zero);
    }
}
