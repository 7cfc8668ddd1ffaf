using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>
/// Per-machine notices through the gateway and the real detector, to real webhook receivers: flapping and stable again,
/// warnings for the channels that opted in, and a parent's offline counting the machines behind it.
/// </summary>
[Collection(PlatformCollection.Name)]
public class MachineNoticeTests(PlatformFixture platform)
{
    private async Task<RegisteredMachine> RegisterAsync(string name, int thresholdSeconds, int? intervalSeconds = null, Guid? dependsOn = null)
    {
        var response = await platform.Machines.Register(new RegisterMachineRequest(Quiet.Unique(name), "host.test", "machine notice test", ["test"],
            thresholdSeconds, intervalSeconds, DependsOn: dependsOn));
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode} {(response.Error as Refit.ApiException)?.Content}");
        return response.Content!;
    }

    private async Task<int> TransitionsAsync(Guid machine) =>
        (await platform.Machines.History(machine)).Content!.Transitions.Count(t => t.Kind is "offline" or "online");

    [Fact]
    public async Task A_flapping_machine_is_told_once_that_it_flaps_and_once_even_across_a_notifier_restart_that_it_is_stable_again()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        // The fixture sets the flapping window to 30 s (Heartbeat__Flapping__Window); more than 5 transitions within it flap.
        var machine = await RegisterAsync("flappy", thresholdSeconds: 1);
        try
        {
            // Three quick outages: six transitions, the sixth (its third online) makes it flap. A heartbeat ends an
            // outage; silence of a second after one begins the next.
            for (var transitions = 0; transitions < 6; transitions = await TransitionsAsync(machine.Id))
            {
                await platform.SendHeartbeatAsync(machine);
                var before = transitions;
                await Eventually.Async(() => TransitionsAsync(machine.Id), n => n > before, $"transition {before + 1}", 20);
            }
            var flapping = (await receiver.WaitForAsync(r => r.IsFor(machine.Id, "machine.flapping"), "the flapping notice", TimeSpan.FromSeconds(20))).Single();
            Assert.True(flapping.Json.GetProperty("flapping").GetBoolean());
            Assert.Equal(6, flapping.Json.GetProperty("transitions").GetInt32());
            Assert.True((await platform.Machines.Get(machine.Id)).Content!.Flapping, "GET /api/machines/{id} shows it flapping");

            // The end of the episode is due from what is stored, not from the notifier's memory: restart it meanwhile.
            await platform.RestartAsync(platform.Notifier);

            // Silent again, it goes offline a seventh time: suppressed like the sixth. Then it holds that state for the window.
            var stable = (await receiver.WaitForAsync(r => r.IsFor(machine.Id, "machine.flapping") && !r.Json.GetProperty("flapping").GetBoolean(),
                "the stable-again notice, a window after the last transition", TimeSpan.FromSeconds(60))).Single();
            Assert.Equal("offline", stable.Json.GetProperty("state").GetString());
            Assert.Equal(flapping.Json.GetProperty("episode_id").GetGuid(), stable.Json.GetProperty("episode_id").GetGuid());
            Assert.False((await platform.Machines.Get(machine.Id)).Content!.Flapping, "stable again in GET /api/machines/{id}");

            var told = receiver.Where(r => r.Body.Length > 0 && r.MachineOf() == machine.Id).Select(r => r.Json.GetProperty("event").GetString()).ToList();
            Assert.Equal(["machine.offline", "machine.online", "machine.offline", "machine.online", "machine.offline", "machine.flapping", "machine.flapping"], told);
            var log = await platform.DeliveriesAsync(machine: machine.Id, channel: channel.Id);
            var silenced = log.Where(d => d.Reason == "flapping").ToList();
            Assert.Equal(["offline", "online"], silenced.Select(d => d.Kind).Order());
            Assert.All(silenced, d => Assert.Equal(("suppressed", 0), (d.Status, d.Attempts)));
            Assert.Equal(2, log.Count(d => d.Kind is "flapping" or "stable" && d.Status == "delivered"));
        }
        finally
        {
            await platform.Machines.Pause(machine.Id);
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task A_warning_is_told_once_per_spell_to_a_channel_that_opted_in_and_not_at_all_to_a_default_channel()
    {
        await using var optedIn = await FakeReceiver.StartAsync();
        await using var byDefault = await FakeReceiver.StartAsync();
        var warnings = await platform.CreateAsync(new CreateChannelRequest("warnings", "webhook", optedIn.Url("hooks").ToString(), Channels.Secret,
            Events: ["machine.offline", "machine.online", "machine.warning"]));
        var plain = await platform.CreateWebhookAsync(byDefault.Url("hooks"));
        var machine = await RegisterAsync("warner", thresholdSeconds: 300);
        try
        {
            await platform.SendHeartbeatAsync(machine, new HeartbeatRequest("1.0.0", "ok"));
            await platform.SendHeartbeatAsync(machine, new HeartbeatRequest("1.0.0", "warning", "disk 91 %"));
            await platform.SendHeartbeatAsync(machine, new HeartbeatRequest("1.0.0", "warning", "disk 93 %"));
            var warning = (await optedIn.WaitForAsync(r => r.IsFor(machine.Id, "machine.warning"), "the warning", TimeSpan.FromSeconds(20))).Single();
            Assert.Equal(("disk 91 %", "warning", true),
                (warning.Json.GetProperty("message").GetString(), warning.Json.GetProperty("machine").GetProperty("status").GetString(), warning.Json.GetProperty("warning").GetBoolean()));

            // Ok again: the spell is over, and the channel that was told of it hears so, once.
            await platform.SendHeartbeatAsync(machine, new HeartbeatRequest("1.0.0", "ok", "disk 40 %"));
            await optedIn.WaitForAsync(r => r.IsFor(machine.Id, "machine.warning") && !r.Json.GetProperty("warning").GetBoolean(), "the warning cleared", TimeSpan.FromSeconds(20));
            var log = await Eventually.Async(() => platform.DeliveriesAsync(machine: machine.Id, channel: plain.Id),
                l => l.Count == 2, "the default channel's two log entries", 20);
            Assert.All(log, d => Assert.Equal(("suppressed", "preference"), (d.Status, d.Reason)));
            Assert.Equal(["warning", "warning_cleared"], log.Select(d => d.Kind).Order());

            await Task.Delay(TimeSpan.FromSeconds(2)); // anything else would have come by now
            Assert.Equal(2, optedIn.Where(r => r.IsFor(machine.Id, "machine.warning")).Count);
            Assert.Empty(byDefault.Where(r => r.Body.Contains(machine.Id.ToString(), StringComparison.Ordinal)));
        }
        finally
        {
            await platform.Machines.Pause(machine.Id);
            await platform.DeleteAsync(warnings, plain);
        }
    }

    [Fact]
    public async Task A_parents_offline_counts_the_machines_behind_it_whose_own_offlines_are_suppressed()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        var parent = await RegisterAsync("switch", thresholdSeconds: 3);
        var children = new List<RegisteredMachine>();
        for (var i = 0; i < 3; i++) children.Add(await RegisterAsync("behind", thresholdSeconds: 1, intervalSeconds: 1, dependsOn: parent.Id));
        children.Add(await RegisterAsync("behind-host", thresholdSeconds: 1, intervalSeconds: 1, dependsOn: children[0].Id)); // behind a child: counted too
        try
        {
            // The switch and everything behind it go dark together.
            await Task.WhenAll(children.Append(parent).Select(m => platform.SendHeartbeatAsync(m)));
            var offline = (await receiver.WaitForAsync(r => r.IsFor(parent.Id, "machine.offline"), "the parent's offline", TimeSpan.FromSeconds(20))).Single();
            Assert.Equal(4, offline.Json.GetProperty("dependents_unreachable").GetInt32());

            foreach (var child in children)
            {
                var silenced = (await Eventually.Async(() => platform.DeliveriesAsync(machine: child.Id, channel: channel.Id),
                    l => l.Any(d => d.Kind == "offline" && d.Status == "suppressed"), $"the offline of {child.Name} silenced", 20)).Single(d => d.Kind == "offline");
                Assert.Equal("dependency", silenced.Reason);
            }
            Assert.Empty(receiver.Where(r => children.Any(c => r.IsFor(c.Id, "machine.offline"))));
        }
        finally
        {
            foreach (var m in children.Append(parent)) await platform.Machines.Pause(m.Id);
            await platform.DeleteAsync(channel);
        }
    }
}
