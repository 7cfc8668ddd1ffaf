using Heartbeat.Notifier.Senders;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>What a delivery becomes after an attempt: delivered, failed for good, or pending until a later time.</summary>
public sealed record AttemptDecision(string Status, DateTimeOffset? NextAttemptAt, string? Error)
{
    public bool FailedForGood => Status == DeliveryStatus.Failed;
}

/// <summary>
/// The retry rules, pure: exponential back-off with ±20 % jitter (so deliveries that failed together do not retry in
/// lock-step), capped; the receiver's Retry-After (429, 503) replaces it; a permanent failure or the last attempt fails
/// the delivery. Defaults: 10 attempts, 15 s doubling to 15 min, about an hour in all.
/// </summary>
public static class RetrySchedule
{
    /// <summary>The longest Retry-After honoured; a receiver asking for more is retried after this.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <param name="attempts">Attempts made so far, this one included.</param>
    /// <param name="random">Uniform in [0, 1), for the jitter.</param>
    public static AttemptDecision Decide(SendOutcome outcome, int attempts, DeliveryOptions options, DateTimeOffset now, double random)
    {
        switch (outcome.Result)
        {
            case SendResult.Delivered:
                return new AttemptDecision(DeliveryStatus.Delivered, null, null);
            case SendResult.PermanentFailure:
                return new AttemptDecision(DeliveryStatus.Failed, null, outcome.Error);
        }
        if (attempts >= options.MaxAttempts)
            return new AttemptDecision(DeliveryStatus.Failed, null, $"Gave up after {attempts} attempts: {outcome.Error}");
        return new AttemptDecision(DeliveryStatus.Pending, now + Delay(attempts, options, random, outcome.RetryAfter), outcome.Error);
    }

    /// <summary>
    /// The longest a delivery's retries can last: every delay before its last attempt, at the most jitter (~1 h 13 min by
    /// default). A delivery of a channel whose circuit is open and that is older than this fails for good, as its
    /// attempts would have run out by then (<see cref="ChannelCircuits"/>).
    /// </summary>
    public static TimeSpan Span(DeliveryOptions options) =>
        TimeSpan.FromMilliseconds(Enumerable.Range(1, Math.Max(0, options.MaxAttempts - 1)).Sum(a => Delay(a, options, random: 1.0).TotalMilliseconds));

    public static TimeSpan Delay(int attempts, DeliveryOptions options, double random, TimeSpan? retryAfter = null)
    {
        if (retryAfter is { } asked) return asked > MaxRetryAfter ? MaxRetryAfter : asked;
        var exponent = Math.Min(attempts - 1, 30);
        var backoff = Math.Min(options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, exponent), options.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(backoff * (0.8 + 0.4 * random));
    }
}
