using System.Text.Json;
using Heartbeat.Contracts.Messages;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Senders;

namespace Heartbeat.Notifier.Tests.Senders;

public class WebhookBodyTests
{
    private static readonly Guid MachineId = Guid.Parse("0198f0a1-0000-7000-8000-000000000001");
    private static readonly Guid EpisodeId = Guid.Parse("0198f0a1-0000-7000-8000-0000000000e1");
    private static readonly DateTimeOffset LastSeen = new(2025, 3, 4, 3, 10, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Detected = LastSeen.AddMinutes(2);
    private static readonly DateTimeOffset CameBack = Detected.AddMinutes(7);

    private static readonly MachineSnapshot Machine = new()
    {
        Id = MachineId, Name = "db-1", Hostname = "db-1.example.net", Description = "primary database",
    };

    private static MachineWentOffline Offline(DateTimeOffset? lastSeen) => new()
    {
        Machine = Machine, EpisodeId = EpisodeId, LastSeenAt = lastSeen, DetectedAt = Detected, Threshold = TimeSpan.FromMinutes(2),
    };

    private static readonly MachineWentOnline Online = new()
    {
        Machine = Machine, EpisodeId = EpisodeId, OfflineSince = Detected, CameBackAt = CameBack, Downtime = CameBack - Detected,
    };

    [Fact]
    public void Offline_body_has_exactly_the_documented_fields()
    {
        using var json = JsonDocument.Parse(Body(Offline(LastSeen)));
        var root = json.RootElement;

        Assert.Equal(["event", "machine", "episode_id", "occurred_at"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["id", "name", "hostname", "description", "status", "last_seen"], root.GetProperty("machine").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Offline_body_says_machine_offline_last_seen_and_detected_at()
    {
        using var json = JsonDocument.Parse(Body(Offline(LastSeen)));
        var root = json.RootElement;
        var machine = root.GetProperty("machine");

        Assert.Equal("machine.offline", root.GetProperty("event").GetString());
        Assert.Equal(MachineId, machine.GetProperty("id").GetGuid());
        Assert.Equal("db-1", machine.GetProperty("name").GetString());
        Assert.Equal("db-1.example.net", machine.GetProperty("hostname").GetString());
        Assert.Equal("primary database", machine.GetProperty("description").GetString());
        Assert.Equal("offline", machine.GetProperty("status").GetString());
        Assert.Equal(LastSeen, machine.GetProperty("last_seen").GetDateTimeOffset());
        Assert.Equal(EpisodeId, root.GetProperty("episode_id").GetGuid());
        Assert.Equal(Detected, root.GetProperty("occurred_at").GetDateTimeOffset());
    }

    [Fact]
    public void Offline_body_of_a_machine_never_seen_has_null_last_seen()
    {
        using var json = JsonDocument.Parse(Body(Offline(lastSeen: null)));

        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("machine").GetProperty("last_seen").ValueKind);
    }

    [Fact]
    public void Online_body_says_machine_online_and_came_back_at()
    {
        using var json = JsonDocument.Parse(Body(Online));
        var root = json.RootElement;
        var machine = root.GetProperty("machine");

        Assert.Equal(["event", "machine", "episode_id", "occurred_at"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("machine.online", root.GetProperty("event").GetString());
        Assert.Equal("online", machine.GetProperty("status").GetString());
        Assert.Equal(CameBack, machine.GetProperty("last_seen").GetDateTimeOffset());
        Assert.Equal(EpisodeId, root.GetProperty("episode_id").GetGuid());
        Assert.Equal(CameBack, root.GetProperty("occurred_at").GetDateTimeOffset());
    }

    [Fact]
    public void Missing_hostname_and_description_are_null_not_absent()
    {
        var bare = Offline(LastSeen) with { Machine = new MachineSnapshot { Id = MachineId, Name = "cron-host" } };

        using var json = JsonDocument.Parse(Body(bare));
        var machine = json.RootElement.GetProperty("machine");

        Assert.Equal(JsonValueKind.Null, machine.GetProperty("hostname").ValueKind);
        Assert.Equal(JsonValueKind.Null, machine.GetProperty("description").ValueKind);
    }

    private static byte[] Body(MachineWentOffline m) => WebhookBody.For(new Outgoing("d", Notification.Of(m), null));
    private static byte[] Body(MachineWentOnline m) => WebhookBody.For(new Outgoing("d", Notification.Of(m), null));

    [Fact]
    public void A_fallback_body_adds_which_channel_failed_and_why()
    {
        var failed = Guid.CreateVersion7();
        using var json = JsonDocument.Parse(WebhookBody.For(new Outgoing("d", Notification.Of(Online), new FallbackNote(failed, "ops slack", "The receiver answered 410 Gone."))));
        var fallback = json.RootElement.GetProperty("fallback");

        Assert.Equal(failed, fallback.GetProperty("failed_channel_id").GetGuid());
        Assert.Equal("ops slack", fallback.GetProperty("failed_channel_name").GetString());
        Assert.Contains("410", fallback.GetProperty("reason").GetString());
    }
}
