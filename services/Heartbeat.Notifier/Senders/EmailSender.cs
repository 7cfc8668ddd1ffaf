using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Heartbeat.Notifier.Senders;

/// <summary>One e-mail per delivery over SMTP (MailKit), to every address of the channel; the subject names the machine and the event.</summary>
public sealed class EmailSender(IOptions<NotifierOptions> options)
{
    public static MimeMessage Message(string from, IReadOnlyList<string> to, Outgoing outgoing, string dashboardUrl)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var address in to) message.To.Add(MailboxAddress.Parse(address));
        message.Subject = NotificationText.Subject(outgoing.Notification);
        // The delivery id makes the Message-ID stable, so mail systems can drop the rare duplicate too.
        message.MessageId = $"{outgoing.DeliveryId.Replace(':', '.')}@heartbeat.platform";
        message.Body = new TextPart("plain") { Text = NotificationText.Plain(outgoing, dashboardUrl) };
        return message;
    }

    public async Task<SendOutcome> SendAsync(ChannelTarget channel, Outgoing outgoing, CancellationToken ct)
    {
        var settings = options.Value;
        var smtp = settings.Smtp;
        if (!smtp.IsConfigured) return new SendOutcome(SendResult.PermanentFailure, null, "SMTP is not configured (Notifier__Smtp__Host).");

        using var client = new SmtpClient { Timeout = (int)settings.Delivery.AttemptTimeout.TotalMilliseconds };
        try
        {
            var security = smtp.Security switch
            {
                SmtpOptions.Tls => SecureSocketOptions.SslOnConnect,
                SmtpOptions.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(smtp.Host!, smtp.Port, security, ct);
            if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
            await client.SendAsync(Message(smtp.From!, channel.To, outgoing, settings.DashboardUrl), ct);
            await client.DisconnectAsync(quit: true, ct);
            return SendOutcome.Delivered();
        }
        catch (SmtpCommandException e) when (!ct.IsCancellationRequested)
        {
            // 5xx for a recipient, the sender or the message will not change by retrying; 4xx and the rest may.
            var code = (int)e.StatusCode;
            var permanent = code >= 500 && e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.MessageNotAccepted;
            return new SendOutcome(permanent ? SendResult.PermanentFailure : SendResult.TransientFailure, code, $"The SMTP server answered {code}: {e.Message}");
        }
        catch (Exception e) when (e is SmtpProtocolException or AuthenticationException or ServiceNotConnectedException or IOException or System.Net.Sockets.SocketException && !ct.IsCancellationRequested)
        {
            return new SendOutcome(SendResult.TransientFailure, null, $"SMTP failed ({e.GetType().Name}): {e.Message}");
        }
    }
}
