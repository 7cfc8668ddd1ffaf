namespace Heartbeat.Notifier.Deliveries;

/// <summary>What a send's outcome changed about its channel, for the log.</summary>
public enum ChannelChange { None, StartedFailing, DeliversAgain }

/// <summary>
/// Whether each channel is failing, so that the log says once that a channel started failing and once that it delivers
/// again, with how many attempts failed in between — not one line per attempt: a dead receiver with ten thousand
/// machines offline would otherwise write ten thousand lines a retry round, and bury the one that matters. Every attempt
/// stays in the delivery log (<c>GET /api/notifications</c>). Thread-safe: sends finish on many threads.
/// </summary>
public sealed class ChannelFailureStreaks
{
    private readonly Dictionary<Guid, int> _failedAttempts = [];
    private readonly Lock _lock = new();

    /// <summary>Records one attempt's outcome; <paramref name="failedMeanwhile"/> is the streak's length when it ends.</summary>
    public ChannelChange Observe(Guid channel, bool delivered, out int failedMeanwhile)
    {
        lock (_lock)
        {
            var failing = _failedAttempts.TryGetValue(channel, out failedMeanwhile);
            if (delivered)
            {
                if (!failing) return ChannelChange.None;
                _failedAttempts.Remove(channel);
                return ChannelChange.DeliversAgain;
            }
            _failedAttempts[channel] = failedMeanwhile + 1;
            failedMeanwhile = 0;
            return failing ? ChannelChange.None : ChannelChange.StartedFailing;
        }
    }

    /// <summary>A deleted channel's streak is forgotten.</summary>
    public void Forget(Guid channel)
    {
        lock (_lock) _failedAttempts.Remove(channel);
    }
}
