using System.Net;
using System.Net.Http.Headers;
using Heartbeat.Notifier.Targets;

namespace Heartbeat.Notifier.Senders;

public enum SendResult { Delivered, TransientFailure, PermanentFailure }

/// <summary>
/// What became of one send. The error never contains a secret, a URL path or the receiver's body (which could be an
/// internal service's); <see cref="RetryAfter"/> is the receiver's own wish (429/503 Retry-After).
/// </summary>
public sealed record SendOutcome(SendResult Result, int? StatusCode = null, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static SendOutcome Delivered(int? statusCode = null) => new(SendResult.Delivered, statusCode);

    /// <summary>2xx delivered; 408, 429 and 5xx may pass; any other answer (4xx, an unfollowed 3xx) will not change by retrying.</summary>
    public static SendOutcome Classify(HttpStatusCode status, RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        var code = (int)status;
        if (code is >= 200 and < 300) return Delivered(code);
        var error = $"The receiver answered {code} {status}.";
        if (code is 408 or 429 or >= 500)
            return new SendOutcome(SendResult.TransientFailure, code, error, code is 429 or 503 ? RetryAfterOf(retryAfter, now) : null);
        return new SendOutcome(SendResult.PermanentFailure, code, error);
    }

    public static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>
    /// A failure to talk to the receiver at all: a refused target fails for good; timeouts, refused or reset connections
    /// and unknown hosts may pass. Our own shutdown is not an outcome and is rethrown.
    /// </summary>
    public static SendOutcome FromException(Exception e, TimeSpan attemptTimeout, CancellationToken ct)
    {
        if (e is OperationCanceledException && ct.IsCancellationRequested) throw e;
        if (Find<TargetRefusedException>(e) is { } refused)
            return new SendOutcome(SendResult.PermanentFailure, null, refused.Message);
        return e switch
        {
            OperationCanceledException or TimeoutException => new SendOutcome(SendResult.TransientFailure, null, $"The receiver did not answer within {attemptTimeout.TotalSeconds:0.#} s."),
            HttpRequestException { HttpRequestError: var kind } h => new SendOutcome(SendResult.TransientFailure, null, $"Could not reach the receiver ({kind}): {Innermost(h).Message}"),
            _ => new SendOutcome(SendResult.TransientFailure, null, $"{e.GetType().Name}: {e.Message}"),
        };
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException) if (e is T found) return found;
        return null;
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;
}
