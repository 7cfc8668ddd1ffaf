using System.Net;
using System.Net.Sockets;
using MimeKit;
using netDumbster.smtp;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>
/// The third parties the notifier talks to, faked locally with their real protocols: the Telegram Bot API (HTTP) and
/// an SMTP server (netDumbster, a real SMTP server in-process). Started before the notifier, which is pointed at them.
/// </summary>
public sealed class ChannelFakes : IAsyncDisposable
{
    public const string MailFrom = "heartbeat@platform.test";

    public FakeReceiver Telegram { get; private set; } = null!;
    public SimpleSmtpServer Smtp { get; private set; } = null!;
    public int SmtpPort { get; private set; }

    public async Task StartAsync()
    {
        Telegram = await FakeReceiver.StartAsync();
        // The Bot API answers {"ok":true,"result":{message}} to sendMessage.
        Telegram.Respond = _ => (200, null, """{"ok":true,"result":{"message_id":1,"chat":{"id":1},"date":0,"text":""}}""");
        SmtpPort = FreePort();
        Smtp = SimpleSmtpServer.Start(SmtpPort);
    }

    /// <summary>The notifier's settings that point it at the fakes.</summary>
    public IReadOnlyDictionary<string, string> NotifierSettings => new Dictionary<string, string>
    {
        ["Notifier__Telegram__ApiBaseUrl"] = Telegram.BaseUrl.ToString(),
        ["Notifier__Smtp__Host"] = "127.0.0.1",
        ["Notifier__Smtp__Port"] = SmtpPort.ToString(),
        ["Notifier__Smtp__From"] = MailFrom,
        ["Notifier__Smtp__Security"] = "none",
    };

    /// <summary>Every e-mail received so far, parsed.</summary>
    public IReadOnlyList<MimeMessage> Mails() =>
        Smtp.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data)))).ToList();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Smtp?.Stop();
        if (Telegram is not null) await Telegram.DisposeAsync();
    }
}
