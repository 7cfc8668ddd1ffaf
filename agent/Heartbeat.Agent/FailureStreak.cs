namespace Heartbeat.Agent;

/// <summary>
/// Failed heartbeats in a row. The first failure of a streak is logged, the rest are only counted, and the
/// first success after a streak logs once how long it lasted: an outage of hours is two lines, not thousands.
/// </summary>
public sealed class FailureStreak(AgentLog log)
{
    private DateTimeOffset _since;
    public int Failures { get; private set; }

    public void Failed(DateTimeOffset now, string reason)
    {
        if (Failures++ == 0)
        {
            _since = now;
            log.Warn($"heartbeat failed: {reason}; retrying with back-off (logged again when heartbeats get through)");
        }
    }

    public void Succeeded(DateTimeOffset now)
    {
        if (Failures > 0)
            log.Info($"heartbeats get through again after {Failures} failed attempt(s) over {(now - _since).TotalSeconds:0.#} s");
        Failures = 0;
    }
}
