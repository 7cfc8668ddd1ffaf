using Heartbeat.Notifier.Senders;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>What a send's outcome changed about its channel, for the log.</summary>
public enum ChannelChange { None, StartedFailing, Opened, ProbeFailed, DeliversAgain }

/// <summary>
/// A circuit breaker per channel, pure (time and randomness are passed in). After <see cref="OpenAfter"/> transient
/// failures in a row (refused, timed out, 408/429/5xx) the channel's circuit opens: its deliveries wait, and one
/// delivery at a time is tried as a probe, when the retry schedule says (Retry-After when the receiver gave one). A
/// probe that gets through, or any answer that is not a transient failure, closes it and everything that waited
/// flows at once. Why: a dead receiver was tried once per delivery, so ten thousand machines offline cost ten thousand
/// refused connections, claims and records a retry round, taking half of the dispatcher from the live channels
/// (docs/benchmarks.md); a receiver that is down is not helped by being called ten thousand times. Deliveries that
/// wait longer than the retry schedule lasts fail for good (<see cref="DeliveryDispatcher"/>, by age), so a fallback
/// still hears of them after about the same hour.
/// The log is told once when a channel starts failing, once when its circuit opens and once when it delivers again,
/// with how many attempts failed in between — not one line per attempt. Thread-safe: sends finish on many threads.
/// Each replica keeps its own circuits: a replica that just started tries a dead channel a few times before it knows.
/// </summary>
public sealed class ChannelCircuits(DeliveryOptions options)
{
    /// <summary>Transient failures in a row that open a channel's circuit.</summary>
    public const int OpenAfter = 5;

    private sealed class Circuit
    {
        /// <summary>Attempts failed since the channel last delivered (for the log).</summary>
        public int Failed;
        /// <summary>Transient failures in a row: an answer that will not change by retrying says the receiver is there.</summary>
        public int TransientInARow;
        public DateTimeOffset? OpenedAt;
        public DateTimeOffset ProbeAt;
        public bool Probing;
        public int FailedProbes;
    }

    private readonly Dictionary<Guid, Circuit> _circuits = [];
    private readonly Lock _lock = new();

    /// <summary>The channels whose circuit is open, with how many deliveries a claim may take now: one probe when it is due and none is under way, else none.</summary>
    public IReadOnlyDictionary<Guid, int> Limits(DateTimeOffset now)
    {
        lock (_lock)
            return _circuits.Where(c => c.Value.OpenedAt is not null)
                .ToDictionary(c => c.Key, c => !c.Value.Probing && now >= c.Value.ProbeAt ? 1 : 0);
    }

    /// <summary>When the circuit of <paramref name="channel"/> opened, or null while it is closed.</summary>
    public DateTimeOffset? OpenedAt(Guid channel)
    {
        lock (_lock) return _circuits.GetValueOrDefault(channel)?.OpenedAt;
    }

    /// <summary>A claim took deliveries of <paramref name="channel"/>: with its circuit open, that one is the probe.</summary>
    public void Claimed(Guid channel)
    {
        lock (_lock)
            if (_circuits.GetValueOrDefault(channel) is { OpenedAt: not null } circuit) circuit.Probing = true;
    }

    /// <summary>Records one attempt's outcome; <paramref name="failedMeanwhile"/> is the streak's length when it ends.</summary>
    /// <param name="random">Uniform in [0, 1), for the jitter of the next probe.</param>
    public ChannelChange Observe(Guid channel, SendOutcome outcome, DateTimeOffset now, double random, out int failedMeanwhile)
    {
        lock (_lock)
        {
            var circuit = _circuits.GetValueOrDefault(channel);
            failedMeanwhile = circuit?.Failed ?? 0;
            if (outcome.Result == SendResult.Delivered)
            {
                if (circuit is null) return ChannelChange.None;
                _circuits.Remove(channel);
                return ChannelChange.DeliversAgain;
            }

            var started = circuit is null;
            circuit ??= _circuits[channel] = new Circuit();
            circuit.Failed++;
            failedMeanwhile = 0;
            if (outcome.Result == SendResult.PermanentFailure)
            {
                // The receiver answered: nothing to wait for (this delivery fails for good on its own).
                (circuit.TransientInARow, circuit.OpenedAt, circuit.Probing, circuit.FailedProbes) = (0, null, false, 0);
                return started ? ChannelChange.StartedFailing : ChannelChange.None;
            }
            circuit.TransientInARow++;
            if (circuit.OpenedAt is null)
            {
                if (circuit.TransientInARow < OpenAfter) return started ? ChannelChange.StartedFailing : ChannelChange.None;
                circuit.OpenedAt = now;
                circuit.ProbeAt = now + RetrySchedule.Delay(1, options, random, outcome.RetryAfter);
                return ChannelChange.Opened;
            }
            if (circuit.Probing)
            {
                // Only the probe moves the next probe: the sends still under way when the circuit opened end as they may.
                circuit.Probing = false;
                circuit.FailedProbes++;
                circuit.ProbeAt = now + RetrySchedule.Delay(circuit.FailedProbes + 1, options, random, outcome.RetryAfter);
                return ChannelChange.ProbeFailed;
            }
            return ChannelChange.None;
        }
    }

    /// <summary>A claimed delivery of <paramref name="channel"/> ended without an outcome (it could not be sent or recorded): another may probe.</summary>
    public void Abandoned(Guid channel)
    {
        lock (_lock)
            if (_circuits.GetValueOrDefault(channel) is { } circuit) circuit.Probing = false;
    }

    /// <summary>When the next probe of an open circuit is due (for the log).</summary>
    public DateTimeOffset? ProbeAt(Guid channel)
    {
        lock (_lock) return _circuits.GetValueOrDefault(channel) is { OpenedAt: not null } c ? c.ProbeAt : null;
    }

    /// <summary>A deleted channel's circuit is forgotten.</summary>
    public void Forget(Guid channel)
    {
        lock (_lock) _circuits.Remove(channel);
    }
}
