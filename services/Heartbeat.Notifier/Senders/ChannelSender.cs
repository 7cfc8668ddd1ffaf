using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;
using Microsoft.Extensions.Options;

namespace Heartbeat.Notifier.Senders;

/// <summary>Sends one notification to one channel, by its type, within the attempt timeout; every failure becomes an outcome.</summary>
public sealed class ChannelSender(WebhookSender webhook, TelegramSender telegram, SlackSender slack, EmailSender email, IOptions<NotifierOptions> options)
{
    public async Task<SendOutcome> SendAsync(ChannelTarget channel, Outgoing outgoing, CancellationToken ct)
    {
        var timeout = options.Value.Delivery.AttemptTimeout;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(timeout);
        try
        {
            return channel.Type switch
            {
                ChannelTypes.Webhook => await webhook.SendAsync(channel, outgoing, attempt.Token),
                ChannelTypes.Telegram => await telegram.SendAsync(channel, outgoing, attempt.Token),
                ChannelTypes.Slack => await slack.SendAsync(channel, outgoing, attempt.Token),
                ChannelTypes.Email => await email.SendAsync(channel, outgoing, attempt.Token),
                _ => new SendOutcome(SendResult.PermanentFailure, null, $"Unknown channel type {channel.Type}."),
            };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return SendOutcome.FromException(e, timeout, ct);
        }
    }
}
