using System.Net;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>Dependencies through the gateway and the real detector: a parent's outage silences its children's.</summary>
[Collection(PlatformCollection.Name)]
public class DependencyTests(PlatformFixture platform)
{
    private async Task<RegisteredMachine> RegisterAsync(string name, int thresholdSeconds, Guid? dependsOn = null)
    {
        var response = await platform.Machines.Register(new RegisterMachineRequest($"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)], "host.test", "dependency test", ["test"], thresholdSeconds, DependsOn: dependsOn));
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode} {(response.Error as Refit.ApiException)?.Content}");
        return response.Content!;
    }

    [Fact]
    public async Task A_parents_outage_silences_its_children_and_a_child_still_down_after_the_parent_is_back_is_told()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        // Thresholds of 4 s for the switch and the child that comes back with it (time enough to pause them after they are
        // back, before they could go offline again), 1 s for the one that stays down: found before its parent, so it waits.
        var parent = await RegisterAsync("switch", 4);
        var children = new[] { await RegisterAsync("behind", 4, parent.Id), await RegisterAsync("behind", 1, parent.Id) };
        try
        {
            // The switch and the machines behind it go dark together.
            await Task.WhenAll(children.Append(parent).Select(m => platform.SendHeartbeatAsync(m)));
            await receiver.WaitForAsync(r => r.IsFor(parent.Id, "machine.offline"), "the parent's offline", TimeSpan.FromSeconds(20));
            foreach (var child in children)
            {
                var silenced = (await Eventually.Async(() => platform.DeliveriesAsync(machine: child.Id, channel: channel.Id),
                    l => l.Any(d => d.Kind == "offline" && d.Status == "suppressed"), $"the offline of {child.Name} silenced", 20)).Single(d => d.Kind == "offline");
                Assert.Equal("dependency", silenced.Reason);
                Assert.Contains(parent.Name, silenced.Detail);
            }
            Assert.Empty(receiver.Where(r => children.Any(c => r.IsFor(c.Id, "machine.offline"))));

            // The parent comes back, one child with it; the other stays down and is told after all, once.
            await platform.SendHeartbeatAsync(parent);
            await platform.SendHeartbeatAsync(children[0]);
            await receiver.WaitForAsync(r => r.IsFor(parent.Id, "machine.online"), "the parent's online", TimeSpan.FromSeconds(20));
            await platform.Machines.Pause(parent.Id);
            await platform.Machines.Pause(children[0].Id);
            await receiver.WaitForAsync(r => r.IsFor(children[1].Id, "machine.offline"), "the child still down told once the parent is back", TimeSpan.FromSeconds(30));

            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Single(receiver.Where(r => r.IsFor(children[1].Id, "machine.offline")));
            Assert.Empty(receiver.Where(r => r.MachineOf() == children[0].Id)); // its outage and its end were both behind the parent's
        }
        finally
        {
            foreach (var m in children.Append(parent)) await platform.Machines.Pause(m.Id);
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task A_parent_must_be_another_registered_machine()
    {
        var unknown = await platform.Machines.Register(new RegisterMachineRequest("orphan", DependsOn: Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("depends_on", (unknown.Error as Refit.ApiException)!.Content);

        var machine = await RegisterAsync("self", 60);
        var self = await platform.Machines.ChangeSettings(machine.Id, new ChangeMachineSettingsRequest(DependsOn: machine.Id));
        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
    }
}
