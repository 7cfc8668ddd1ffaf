using System.Text.Json;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Senders;

namespace Heartbeat.Notifier.Tests.Senders;

/// <summary>Storm digests and platform incidents, as every channel type renders them.</summary>
public class FleetMessageTests
{
    private const string Dashboard = "https://heartbeat.example.net/";
    private static readonly DateTimeOffset From = new(2026, 11, 27, 3, 12, 0, TimeSpan.Zero);
    private static readonly Guid DigestId = Guid.Parse("0198f0a1-0000-7000-8000-0000000000d1");
    private static readonly Guid IncidentId = Guid.Parse("0198f0a1-0000-7000-8000-0000000000a1");

    private static DigestNote Digest(string of, int machines) => new(DigestId, of, From, From.AddSeconds(30),
        Enumerable.Range(1, machines).Select(i => new DigestMachine(Guid.CreateVersion7(), $"rack<{i}>", $"r{i}.example.net", ["rack-7", "db"],
            Guid.CreateVersion7(), From.AddMilliseconds(i * 10), From.AddSeconds(-60))).ToList(), Dashboard);

    private static Outgoing Out(Notification n) => new($"{n.EpisodeId}:c:{n.Kind}", n, null);

    private static readonly Outgoing Started = Out(FleetNotices.Of(new IncidentNote(IncidentId, "started", From, null, null, "the canary's heartbeats stopped arriving", Dashboard)));
    private static readonly Outgoing Ended = Out(FleetNotices.Of(new IncidentNote(IncidentId, "ended", From, From.AddSeconds(95), TimeSpan.FromSeconds(95), "the canary's heartbeats stopped arriving", Dashboard)));

    [Fact]
    public void The_digest_webhook_lists_every_machine_with_tags_and_links_the_dashboard()
    {
        var root = JsonDocument.Parse(WebhookBody.For(Out(FleetNotices.Of(Digest("offline", 30))))).RootElement;

        Assert.Equal(["event", "kind", "digest_id", "count", "machines", "from", "until", "dashboard_url", "occurred_at"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("digest", root.GetProperty("event").GetString());
        Assert.Equal("offline", root.GetProperty("kind").GetString());
        Assert.Equal(30, root.GetProperty("count").GetInt32());
        Assert.Equal(30, root.GetProperty("machines").GetArrayLength());
        var first = root.GetProperty("machines")[0];
        Assert.Equal(["id", "name", "hostname", "tags", "episode_id", "at", "last_seen"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("rack<1>", first.GetProperty("name").GetString());
        Assert.Equal(["rack-7", "db"], first.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(Dashboard, root.GetProperty("dashboard_url").GetString());
        Assert.Equal(DigestId, root.GetProperty("digest_id").GetGuid());
    }

    [Fact]
    public async Task The_digest_webhook_is_signed_like_the_others()
    {
        var outgoing = Out(FleetNotices.Of(Digest("online", 3)));
        using var request = WebhookSender.Request(new Heartbeat.Notifier.Channels.ChannelTarget(Guid.NewGuid(), "ops", "webhook", "https://hooks.example.net/x", "s3cret", null, null, []), outgoing, From);
        var body = await request.Content!.ReadAsByteArrayAsync();

        Assert.Equal(WebhookSignature.Sign(body, "s3cret"), request.Headers.GetValues(WebhookSignature.Header).Single());
        Assert.Equal(outgoing.DeliveryId, request.Headers.GetValues("webhook-id").Single());
    }

    [Fact]
    public void The_digest_text_counts_names_at_most_25_and_says_how_many_more()
    {
        var text = NotificationText.Plain(Out(FleetNotices.Of(Digest("offline", 30))), "ignored");

        Assert.StartsWith("🔴 Alert storm: 30 machines went offline", text);
        Assert.Contains("rack<1> (r1.example.net) [rack-7, db]", text);
        Assert.Contains("rack<25>", text);
        Assert.DoesNotContain("rack<26>", text);
        Assert.Contains("… and 5 more", text);
        Assert.Contains("Dashboard: " + Dashboard, text);
        Assert.Equal("[Heartbeat] Alert storm: 30 machines went offline", NotificationText.Subject(FleetNotices.Of(Digest("offline", 30))));
        Assert.StartsWith("🟢 Alert storm: 1 machine back online", NotificationText.Plain(Out(FleetNotices.Of(Digest("online", 1))), Dashboard));
    }

    [Fact]
    public void Telegram_slack_and_email_render_the_digest_escaped_and_within_their_limits()
    {
        var outgoing = Out(FleetNotices.Of(Digest("offline", 500)));

        var telegram = TelegramSender.Body("-100", outgoing, Dashboard)["text"]!.GetValue<string>();
        Assert.Contains("rack&lt;1&gt;", telegram);
        Assert.True(telegram.Length < 4096, $"{telegram.Length} characters");

        var slack = SlackSender.Body(outgoing, Dashboard);
        var fields = slack["blocks"]![1]!["fields"]!.AsArray();
        Assert.True(fields.Count <= 10);
        Assert.All(fields, f => Assert.True(f!["text"]!.GetValue<string>().Length <= 2000));
        Assert.Contains("rack&lt;1&gt;", fields[0]!["text"]!.GetValue<string>());

        var mail = EmailSender.Message("heartbeat@example.net", ["ops@example.net"], outgoing, Dashboard);
        Assert.Equal("[Heartbeat] Alert storm: 500 machines went offline", mail.Subject);
        Assert.Contains("… and 475 more", mail.TextBody);
    }

    [Fact]
    public void The_incident_webhook_says_started_then_ended_with_its_duration()
    {
        var started = JsonDocument.Parse(WebhookBody.For(Started)).RootElement;
        var ended = JsonDocument.Parse(WebhookBody.For(Ended)).RootElement;

        Assert.Equal(["event", "state", "incident_id", "started_at", "ended_at", "duration_seconds", "cause", "dashboard_url", "occurred_at"],
            started.EnumerateObject().Select(p => p.Name));
        Assert.Equal("platform.incident", started.GetProperty("event").GetString());
        Assert.Equal("started", started.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, started.GetProperty("ended_at").ValueKind);
        Assert.Equal(From, started.GetProperty("occurred_at").GetDateTimeOffset());
        Assert.Equal("ended", ended.GetProperty("state").GetString());
        Assert.Equal(IncidentId, ended.GetProperty("incident_id").GetGuid());
        Assert.Equal(95, ended.GetProperty("duration_seconds").GetDouble());
        Assert.Equal(From.AddSeconds(95), ended.GetProperty("occurred_at").GetDateTimeOffset());
    }

    [Fact]
    public void The_incident_text_says_no_machine_is_declared_offline_meanwhile_then_how_long_it_lasted()
    {
        var started = NotificationText.Plain(Started, Dashboard);
        var ended = NotificationText.Plain(Ended, Dashboard);

        Assert.StartsWith("⚠️ Platform incident: heartbeat intake interrupted", started);
        Assert.Contains("Since: 2026-11-27 03:12:00 UTC", started);
        Assert.Contains("no machine is being declared offline", started);
        Assert.Contains("Cause: the canary's heartbeats stopped arriving", started);
        Assert.StartsWith("✅ Platform incident over: heartbeat intake restored", ended);
        Assert.Contains("Duration: 1m 35s", ended);
        Assert.Equal("[Heartbeat] Platform incident over: heartbeat intake restored", NotificationText.Subject(Ended.Notification));
    }

    [Fact]
    public void A_fleet_notification_survives_the_round_trip_through_its_stored_payload()
    {
        var digest = FleetNotices.Of(Digest("offline", 2));
        Assert.Equivalent(digest.Digest, Notification.FromJson(digest.ToJson()).Digest, strict: true);
        Assert.Equal(Ended.Notification.Incident, Notification.FromJson(Ended.Notification.ToJson()).Incident);
    }
}
