using System.Text.Json;
using Heartbeat.Contracts.Messages;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Senders;

namespace Heartbeat.Notifier.Tests.Senders;

/// <summary>Per-machine notices — warning, flapping, stable again, an offline with machines behind it — on every kind of channel.</summary>
public class MachineNoticeTests
{
    private const string Dashboard = "https://heartbeat.example.net/";
    private static readonly DateTimeOffset At = new(2026, 11, 27, 3, 12, 0, TimeSpan.Zero);
    private static readonly MachineSnapshot Machine = new() { Id = Guid.CreateVersion7(), Name = "switch-3", Hostname = "switch-3.dc1" };
    private static readonly Guid Episode = Guid.CreateVersion7();

    private static readonly Notification Warning = RecordWarning.Of(new MachineReportedWarning { Machine = Machine, WarningId = Episode, ReportedAt = At, Message = "disk 91 %" });
    private static readonly Notification Cleared = RecordWarning.Of(new MachineWarningCleared { Machine = Machine, WarningId = Episode, ClearedAt = At, Message = "disk 40 %" });
    private static readonly Notification Flapping = new(Notification.FlappingStarted, Machine, Episode, At, At, Transitions: 6, Window: TimeSpan.FromMinutes(30), State: "offline");
    private static readonly Notification Stable = new(Notification.StableAgain, Machine, Episode, At, null, Transitions: 9, Window: TimeSpan.FromMinutes(30), State: "online");
    private static readonly Notification Behind = Notification.Of(new MachineWentOffline
    {
        Machine = Machine, EpisodeId = Episode, LastSeenAt = At.AddMinutes(-2), DetectedAt = At, Threshold = TimeSpan.FromMinutes(2), DependentsUnreachable = 40,
    });

    private static JsonElement Webhook(Notification n) => JsonDocument.Parse(WebhookBody.For(new Outgoing("d", n, null))).RootElement;
    private static string Text(Notification n) => NotificationText.Plain(new Outgoing("d", n, null), Dashboard);

    [Fact]
    public void A_warning_webhook_is_machine_warning_with_the_heartbeats_message_and_its_end_says_warning_false()
    {
        var body = Webhook(Warning);
        Assert.Equal(("machine.warning", "warning", true, "disk 91 %"),
            (body.GetProperty("event").GetString(), body.GetProperty("machine").GetProperty("status").GetString(), body.GetProperty("warning").GetBoolean(), body.GetProperty("message").GetString()));
        Assert.Equal(Episode, body.GetProperty("episode_id").GetGuid());

        var cleared = Webhook(Cleared);
        Assert.Equal(("machine.warning", "online", false), (cleared.GetProperty("event").GetString(), cleared.GetProperty("machine").GetProperty("status").GetString(), cleared.GetProperty("warning").GetBoolean()));
    }

    [Fact]
    public void Flapping_and_stable_again_are_both_machine_flapping_with_the_state_and_the_count()
    {
        var flapping = Webhook(Flapping);
        Assert.Equal(("machine.flapping", true, "offline", 6, 1800),
            (flapping.GetProperty("event").GetString(), flapping.GetProperty("flapping").GetBoolean(), flapping.GetProperty("state").GetString(),
             flapping.GetProperty("transitions").GetInt32(), flapping.GetProperty("window_seconds").GetInt32()));

        var stable = Webhook(Stable);
        Assert.Equal(("machine.flapping", false, "online", "online"),
            (stable.GetProperty("event").GetString(), stable.GetProperty("flapping").GetBoolean(), stable.GetProperty("state").GetString(),
             stable.GetProperty("machine").GetProperty("status").GetString()));
    }

    [Fact]
    public void An_offline_counts_the_machines_behind_it_and_one_without_any_keeps_the_documented_shape()
    {
        var body = Webhook(Behind);
        Assert.Equal(("machine.offline", 40), (body.GetProperty("event").GetString(), body.GetProperty("dependents_unreachable").GetInt32()));
        Assert.StartsWith("🔴 switch-3 is offline; 40 machines behind it are unreachable", Text(Behind));
        Assert.StartsWith("🔴 switch-3 is offline; 1 machine behind it is unreachable", Text(Behind with { DependentsUnreachable = 1 }));

        var alone = Notification.Of(new MachineWentOffline { Machine = Machine, EpisodeId = Episode, DetectedAt = At, Threshold = TimeSpan.FromMinutes(2), DependentsUnreachable = 0 });
        Assert.Equal(["event", "machine", "episode_id", "occurred_at"], Webhook(alone).EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("🔴 switch-3 is offline\n", Text(alone));
    }

    [Fact]
    public void People_read_what_happened_on_telegram_slack_and_email()
    {
        Assert.StartsWith("🟡 switch-3 reports a warning", Text(Warning));
        Assert.Contains("Message: disk 91 %", Text(Warning));
        Assert.StartsWith("🟢 switch-3 no longer reports a warning", Text(Cleared));
        Assert.StartsWith("🟠 switch-3 is flapping (6 transitions within 30m)", Text(Flapping));
        Assert.StartsWith("🟢 switch-3 is stable again: online", Text(Stable));
        Assert.StartsWith("🔴 switch-3 is stable again: offline", Text(Stable with { State = "offline" }));

        Assert.Contains("switch-3 reports a warning", TelegramSender.Html(new Outgoing("d", Warning, null), Dashboard));
        Assert.Equal("🟠 switch-3 is flapping (6 transitions within 30m)", SlackSender.Body(new Outgoing("d", Flapping, null), Dashboard)["text"]!.GetValue<string>());
        var mail = EmailSender.Message("heartbeat@example.net", ["ops@example.net"], new Outgoing("d", Behind, null), Dashboard);
        Assert.Equal("[Heartbeat] switch-3 is offline; 40 machines behind it are unreachable", mail.Subject);
    }

    [Fact]
    public void A_notice_survives_its_round_trip_through_the_delivery_row()
    {
        var stored = Notification.FromJson(Stable.ToJson());
        Assert.Equal(Stable, stored);
        Assert.Equal("machine.flapping", stored.Event);
    }
}
