using Heartbeat.Contracts.Messages;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Senders;

namespace Heartbeat.Notifier.Tests.Senders;

public class ChannelMessageTests
{
    private const string Dashboard = "https://heartbeat.example.net/";
    private static readonly DateTimeOffset Detected = new(2026, 11, 27, 3, 12, 0, TimeSpan.Zero);
    private static readonly MachineSnapshot Machine = new() { Id = Guid.CreateVersion7(), Name = "db<1>", Hostname = "db-1.example.net" };
    private static readonly Outgoing Offline = new("e:c:offline", new Notification("offline", Machine, Guid.CreateVersion7(), Detected, Detected.AddMinutes(-2)), null);
    private static readonly Outgoing Online = new("e:c:online",
        new Notification("online", Machine, Guid.CreateVersion7(), Detected.AddMinutes(63), Detected.AddMinutes(63), Detected, TimeSpan.FromMinutes(63) + TimeSpan.FromSeconds(5)), null);

    [Fact]
    public void The_offline_message_names_the_machine_host_last_seen_and_links_the_dashboard()
    {
        var text = NotificationText.Plain(Offline, Dashboard);

        Assert.StartsWith("🔴 db<1> is offline", text);
        Assert.Contains("Host: db-1.example.net", text);
        Assert.Contains("Last seen: 2026-11-27 03:10:00 UTC", text);
        Assert.Contains("Dashboard: " + Dashboard, text);
    }

    [Fact]
    public void The_online_message_says_how_long_it_was_down() =>
        Assert.Contains("Downtime: 1h 3m", NotificationText.Plain(Online, Dashboard));

    [Fact]
    public void A_past_outage_found_after_the_fact_is_told_as_history_not_as_a_current_outage()
    {
        var late = Online with { Notification = Online.Notification with { DetectedLate = true } };

        var text = NotificationText.Plain(late, Dashboard);

        Assert.StartsWith("🟡 db<1> was offline (a past outage, now over)", text);
        Assert.Contains("Downtime: 1h 3m", text);
        Assert.Contains("Note: found after the fact", text);
        Assert.Equal("[Heartbeat] db<1> was offline (past outage)", NotificationText.Subject(late.Notification));
        var body = System.Text.Json.JsonDocument.Parse(WebhookBody.For(late)).RootElement;
        Assert.True(body.GetProperty("detected_late").GetBoolean());
        Assert.Equal("machine.online", body.GetProperty("event").GetString());
        Assert.False(System.Text.Json.JsonDocument.Parse(WebhookBody.For(Online)).RootElement.TryGetProperty("detected_late", out _));
    }

    [Fact]
    public void A_fallback_message_says_which_channel_failed_and_why() =>
        Assert.Contains("Sent here because: channel \"ops slack\" failed: Gave up after 10 attempts",
            NotificationText.Plain(Offline with { Fallback = new FallbackNote(Guid.Empty, "ops slack", "Gave up after 10 attempts") }, Dashboard));

    [Fact]
    public void Telegram_html_escapes_names_and_links_the_dashboard()
    {
        var body = TelegramSender.Body("-100123", Offline, Dashboard);
        var text = body["text"]!.GetValue<string>();

        Assert.Equal("-100123", body["chat_id"]!.GetValue<string>());
        Assert.Equal("HTML", body["parse_mode"]!.GetValue<string>());
        Assert.StartsWith("<b>🔴 db&lt;1&gt; is offline</b>", text);
        Assert.Contains($"<a href=\"{Dashboard}\">Open the dashboard</a>", text);
    }

    [Fact]
    public void Slack_has_text_for_notifications_and_escaped_blocks()
    {
        var body = SlackSender.Body(Online, Dashboard);

        Assert.Equal("🟢 db<1> is back online", body["text"]!.GetValue<string>());
        var fields = body["blocks"]![1]!["fields"]!.AsArray().Select(f => f!["text"]!.GetValue<string>()).ToList();
        Assert.Contains("*Downtime*\n1h 3m", fields);
        Assert.Contains(Dashboard, body["blocks"]![2]!["elements"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("db&lt;1&gt;", SlackSender.Escape("db<1>"));
    }

    [Fact]
    public void The_email_subject_names_the_machine_and_the_event_and_its_id_is_stable()
    {
        var message = EmailSender.Message("heartbeat@example.net", ["a@example.net", "b@example.net"], Offline, Dashboard);

        Assert.Equal("[Heartbeat] db<1> is offline", message.Subject);
        Assert.Equal(2, message.To.Count);
        Assert.Equal("e.c.offline@heartbeat.platform", message.MessageId);
        Assert.Contains("Host: db-1.example.net", message.TextBody);
    }

    [Theory]
    [InlineData(0.5, "500ms")]
    [InlineData(5, "5s")]
    [InlineData(65, "1m 5s")]
    [InlineData(90061, "1d 1h")]
    public void Durations_read_as_people_write_them(double seconds, string expected) =>
        Assert.Equal(expected, NotificationText.Duration(TimeSpan.FromSeconds(seconds)));
}
