using System.Net;
using System.Net.Http.Headers;
using Heartbeat.Notifier.Channels;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Heartbeat.Notifier.Deliveries;

public enum SendResult { Delivered, TransientFailure, PermanentFailure }

/// <summary>What became of one webhook POST; the error never contains the secret or the signature.</summary>
public sealed record SendOutcome(SendResult Result, string? Error = null)
{
    public static readonly SendOutcome Delivered = new(SendResult.Delivered);
}

/// <summary>
/// POSTs a signed body to a webhook channel. The HttpClient's resilience pipeline already retries transient
/// failures a few times; what is still failing after that comes back as a <see cref="SendResult.TransientFailure"/>.
/// </summary>
public sealed class WebhookSender(HttpClient http)
{
    public const string UserAgent = "Heartbeat.Platform";
    public const string IdHeader = "X-Webhook-Id";
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private static readonly HttpRequestOptionsKey<string> ChannelKey = new("heartbeat.channel_id");

    /// <summary>The channel a request is for, which selects its resilience pipeline.</summary>
    public static string ChannelOf(HttpRequestMessage request) =>
        request.Options.TryGetValue(ChannelKey, out var channelId) ? channelId : "none";

    public async Task<SendOutcome> SendAsync(Channel channel, string deliveryId, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(body, channel.Secret));
        request.Headers.TryAddWithoutValidation(IdHeader, deliveryId);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Options.Set(ChannelKey, channel.Id.ToString());

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            return Classify(response.StatusCode);
        }
        catch (Exception e) when (IsTransient(e, ct))
        {
            return new SendOutcome(SendResult.TransientFailure, Describe(e));
        }
    }

    /// <summary>2xx delivered; 408, 429 and 5xx may pass; any other answer (4xx, an unfollowed 3xx) will not change by retrying.</summary>
    public static SendOutcome Classify(HttpStatusCode status)
    {
        var code = (int)status;
        if (code is >= 200 and < 300) return SendOutcome.Delivered;
        var error = $"The receiver answered {code} {status}.";
        return code is 408 or 429 or >= 500
            ? new SendOutcome(SendResult.TransientFailure, error)
            : new SendOutcome(SendResult.PermanentFailure, error);
    }

    /// <summary>Timeouts, refused or reset connections, unknown hosts and an open circuit may all pass; our own shutdown is not a failure.</summary>
    public static bool IsTransient(Exception e, CancellationToken ct) => e switch
    {
        OperationCanceledException when ct.IsCancellationRequested => false,
        HttpRequestException or TimeoutRejectedException or BrokenCircuitException or OperationCanceledException => true,
        _ => false,
    };

    private static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException or OperationCanceledException => $"The receiver did not answer within {AttemptTimeout.TotalSeconds:0} s.",
        BrokenCircuitException => "The receiver failed repeatedly; sending to this channel is paused for a short while.",
        HttpRequestException { HttpRequestError: var kind } h => $"Could not reach the receiver ({kind}): {h.Message}",
        _ => e.Message,
    };
}
