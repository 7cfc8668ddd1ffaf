using System.Net;
using System.Text.Json.Nodes;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>Per-channel routing through the gateway: which machines (by id or tag) and which events a channel receives.</summary>
[Collection(PlatformCollection.Name)]
public class RoutingTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_channel_gets_only_its_machines_and_events_and_the_log_says_why_the_rest_was_not_sent()
    {
        var rack = Quiet.Unique("rack");
        await using var offlinesOfRack = await FakeReceiver.StartAsync();
        await using var elsewhere = await FakeReceiver.StartAsync();
        var rackChannel = await platform.CreateAsync(new CreateChannelRequest("rack offlines", "webhook", offlinesOfRack.Url("hooks").ToString(), Channels.Secret,
            Machines: new ChannelMachines(Tags: [rack.ToUpperInvariant()]), Events: ["machine.offline"]));
        var otherChannel = await platform.CreateAsync(new CreateChannelRequest("other machines", "webhook", elsewhere.Url("hooks").ToString(), Channels.Secret,
            Machines: new ChannelMachines(Ids: [Guid.NewGuid()])));
        try
        {
            Assert.Equal([rack.ToUpperInvariant()], rackChannel.Machines!.Tags);
            Assert.Equal(["machine.offline"], rackChannel.Events);

            // A real machine through the real detector: its tags travel on the transition messages.
            var machine = await platform.RegisterTaggedAsync(rack, "db");
            await platform.RunEpisodeAsync(machine, TimeSpan.FromSeconds(20));

            await offlinesOfRack.WaitForAsync(r => r.IsFor(machine.Id, "machine.offline"), "the offline at the rack's channel", TimeSpan.FromSeconds(20));
            var log = await Eventually.Async(() => platform.DeliveriesAsync(machine: machine.Id),
                l => l.Count(d => d.ChannelId == rackChannel.Id || d.ChannelId == otherChannel.Id) == 4, "four log entries for the two channels", 20);

            var rackOnline = Assert.Single(log, d => d.ChannelId == rackChannel.Id && d.Kind == "online");
            Assert.Equal(("suppressed", "preference"), (rackOnline.Status, rackOnline.Reason));
            Assert.All(log.Where(d => d.ChannelId == otherChannel.Id), d => Assert.Equal(("suppressed", "preference"), (d.Status, d.Reason)));
            Assert.Equal(0, rackOnline.Attempts);
            Assert.Empty(offlinesOfRack.Where(r => r.IsFor(machine.Id, "machine.online")));
            Assert.Empty(elsewhere.Where(r => r.Body.Contains(machine.Id.ToString(), StringComparison.Ordinal)));
            Assert.Contains(await platform.DeliveriesAsync(machine: machine.Id, outcome: "suppressed"), d => d.ChannelId == otherChannel.Id);
        }
        finally
        {
            await platform.DeleteAsync(rackChannel, otherChannel);
        }
    }

    [Fact]
    public async Task Routing_is_changed_with_patch_and_shown_by_get()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            Assert.Null(channel.Machines);
            Assert.DoesNotContain("machine.warning", channel.Events!);

            var changed = await platform.Channels.Update(channel.Id, new JsonObject
            {
                ["machines"] = new JsonObject { ["tags"] = new JsonArray("web") },
                ["events"] = new JsonArray("machine.offline", "machine.warning"),
                ["renotify_every"] = "90m",
            });
            Assert.True(changed.IsSuccessStatusCode, $"patch: {changed.StatusCode} {(changed.Error as Refit.ApiException)?.Content}");

            var shown = (await platform.Channels.Get(channel.Id)).Content!;
            Assert.Equal(["web"], shown.Machines!.Tags);
            Assert.Equal(["machine.offline", "machine.warning"], shown.Events);
            Assert.Equal("90m", shown.RenotifyEvery);
            Assert.Equal(10, shown.RenotifyMax);

            var cleared = await platform.Channels.Update(channel.Id, new JsonObject { ["machines"] = null, ["events"] = null, ["renotify_every"] = null });
            Assert.True(cleared.IsSuccessStatusCode);
            Assert.Null(cleared.Content!.Machines);
            Assert.Null(cleared.Content.RenotifyEvery);
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task Bad_routing_is_a_problem_and_changes_nothing()
    {
        var before = (await platform.Channels.List()).Content!.Count;
        var bad = await platform.Channels.Create(new CreateChannelRequest("bad", "webhook", "https://example.com/hooks", Channels.Secret,
            Machines: new ChannelMachines([Guid.NewGuid()], ["web"]), Events: ["machine.exploded"], RenotifyEvery: "soon"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = (bad.Error as Refit.ApiException)!.Content!;
        Assert.Contains("\"machines\"", problem);
        Assert.Contains("machine.exploded", problem);
        Assert.Contains("\"renotify_every\"", problem);
        Assert.Equal(before, (await platform.Channels.List()).Content!.Count);
    }
}
