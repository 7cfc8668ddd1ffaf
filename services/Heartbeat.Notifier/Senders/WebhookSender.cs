using System.Net.Http.Headers;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;

namespace Heartbeat.Notifier.Senders;

/// <summary>POSTs the signed JSON body to a webhook channel, with the delivery's stable id in X-Webhook-Id and webhook-id.</summary>
public sealed class WebhookSender(HttpClient http, TimeProvider time)
{
    public const string UserAgent = "Heartbeat.Platform";
    public const string IdHeader = "X-Webhook-Id";

    public static HttpRequestMessage Request(ChannelTarget channel, Outgoing outgoing, DateTimeOffset now)
    {
        var body = WebhookBody.For(outgoing);
        var request = new HttpRequestMessage(HttpMethod.Post, channel.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var secret = channel.Secret ?? "";
        var timestamp = now.ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(body, secret));
        request.Headers.TryAddWithoutValidation(IdHeader, outgoing.DeliveryId);
        request.Headers.TryAddWithoutValidation(WebhookSignature.StandardIdHeader, outgoing.DeliveryId);
        request.Headers.TryAddWithoutValidation(WebhookSignature.StandardTimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.StandardSignatureHeader, WebhookSignature.SignStandard(outgoing.DeliveryId, timestamp, body, secret));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        return request;
    }

    public async Task<SendOutcome> SendAsync(ChannelTarget channel, Outgoing outgoing, CancellationToken ct)
    {
        using var request = Request(channel, outgoing, time.GetUtcNow());
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        return SendOutcome.Classify(response.StatusCode, response.Headers.RetryAfter, time.GetUtcNow());
    }
}
