using System.Security.Cryptography;
using System.Text;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>What each kind of channel receives, read back from a fake that speaks the real protocol.</summary>
[Collection(PlatformCollection.Name)]
public class ChannelContentTests(PlatformFixture platform)
{
    [Fact]
    public async Task Webhooks_carry_the_body_the_sha256_signature_and_standard_webhooks_headers()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            var (offline, _) = Channels.MadeUpEpisode("standard");
            await platform.PublishAsync(offline);
            var hook = (await receiver.WaitForAsync(r => r.IsFor(offline.Machine.Id, "machine.offline"), "the offline webhook", TimeSpan.FromSeconds(15)))[0];

            var id = hook.Header("webhook-id")!;
            var timestamp = long.Parse(hook.Header("webhook-timestamp")!);
            Assert.Equal($"{offline.EpisodeId}:{channel.Id}:offline", id);
            Assert.Equal(id, hook.Header("X-Webhook-Id"));
            Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp, -5, 60);
            var key = Encoding.UTF8.GetBytes(Channels.Secret);
            Assert.Equal("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{hook.Body}"))), hook.Header("webhook-signature"));
            Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(hook.Body))), hook.Header("X-Webhook-Signature"));
            Assert.Equal(offline.EpisodeId, hook.Json.GetProperty("episode_id").GetGuid());
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task Telegram_gets_sendMessage_with_a_readable_html_message()
    {
        const string token = "123456789:AAEcontent-test-token-abcdefghij";
        var channel = await platform.CreateAsync(new CreateChannelRequest("telegram", "telegram", null, null, token, "-1001234567890"));
        try
        {
            var (offline, online) = Channels.MadeUpEpisode("tg-box");
            await platform.PublishAsync(offline);
            await platform.PublishAsync(online);
            var sent = await platform.ChannelFakes.Telegram.WaitForAsync(r => r.Mentions(offline.Machine.Id.ToString()) || r.Mentions("tg-box"),
                "offline and online messages", TimeSpan.FromSeconds(20), 2);

            Assert.All(sent, r => Assert.Equal($"/bot{token}/sendMessage", r.Path));
            Assert.All(sent, r => Assert.Equal("-1001234567890", r.Json.GetProperty("chat_id").GetString()));
            Assert.All(sent, r => Assert.Equal("HTML", r.Json.GetProperty("parse_mode").GetString()));
            var down = sent[0].Json.GetProperty("text").GetString()!;
            var up = sent[1].Json.GetProperty("text").GetString()!;
            Assert.StartsWith("<b>🔴 tg-box is offline</b>", down);
            Assert.Contains("Host: tg-box.test", down);
            Assert.Contains("Last seen: " + offline.LastSeenAt!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss"), down);
            Assert.Contains("<a href=\"http://localhost:8080/\">Open the dashboard</a>", down);
            Assert.StartsWith("<b>🟢 tg-box is back online</b>", up);
            Assert.Contains("Downtime: 5s", up);
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task Slack_gets_text_and_blocks()
    {
        await using var slack = await FakeReceiver.StartAsync();
        slack.Respond = _ => (200, null, null); // Slack answers 200 "ok"
        var channel = await platform.CreateAsync(new CreateChannelRequest("slack", "slack", slack.Url("services/T000/B000/XXXX").ToString(), null));
        try
        {
            var (offline, _) = Channels.MadeUpEpisode("slack-box");
            await platform.PublishAsync(offline);
            var sent = (await slack.WaitForAsync(r => r.Mentions("slack-box"), "the Slack message", TimeSpan.FromSeconds(15)))[0];

            Assert.Equal("/services/T000/B000/XXXX", sent.Path);
            Assert.Equal("🔴 slack-box is offline", sent.Json.GetProperty("text").GetString());
            var blocks = sent.Json.GetProperty("blocks").EnumerateArray().ToList();
            Assert.Equal(["header", "section", "context"], blocks.Select(b => b.GetProperty("type").GetString()));
            Assert.Contains(blocks[1].GetProperty("fields").EnumerateArray(), f => f.GetProperty("text").GetString() == "*Host*\nslack-box.test");
            Assert.Contains("Open the dashboard", blocks[2].GetProperty("elements")[0].GetProperty("text").GetString());
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task Email_goes_over_smtp_to_every_address_with_the_machine_and_event_in_the_subject()
    {
        var channel = await platform.CreateAsync(new CreateChannelRequest("mail", "email", null, null, To: ["ops@example.test", "oncall@example.test"]));
        try
        {
            var (offline, _) = Channels.MadeUpEpisode("mail-box");
            await platform.PublishAsync(offline);
            var mail = await Eventually.Async(() => Task.FromResult(platform.ChannelFakes.Mails().FirstOrDefault(m => m.Subject?.Contains("mail-box") == true)),
                m => m is not null, "an e-mail about mail-box", seconds: 20);

            Assert.Equal("[Heartbeat] mail-box is offline", mail!.Subject);
            Assert.Equal(["ops@example.test", "oncall@example.test"], mail.To.Mailboxes.Select(m => m.Address));
            Assert.Equal(ChannelFakes.MailFrom, mail.From.Mailboxes.Single().Address);
            Assert.Contains("Host: mail-box.test", mail.TextBody);
            Assert.Contains("Last seen:", mail.TextBody);
            Assert.Contains("http://localhost:8080/", mail.TextBody);
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }
}
