using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

[Collection(PlatformCollection.Name)]
public class OrderingTests(PlatformFixture platform)
{
    [Fact]
    public async Task An_online_is_not_sent_while_its_offline_is_being_retried()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 1);
        await using var receiver = await FakeReceiver.StartAsync();
        // Each offline fails three times (retried ~0.5, 1, 2 s later); the online would be accepted at once.
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<Guid, int>();
        receiver.Respond = r => r.IsFor(machine.Id, "machine.offline") && failures.AddOrUpdate(r.Json.GetProperty("episode_id").GetGuid(), 1, (_, n) => n + 1) <= 3
            ? (503, null, null) : (200, null, null);
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            await platform.SendHeartbeatAsync(machine);
            await receiver.WaitForAsync(r => r.IsFor(machine.Id, "machine.offline"), "a first (failing) offline attempt", TimeSpan.FromSeconds(15));
            await platform.SendHeartbeatAsync(machine); // back online while the offline is still being retried
            await receiver.WaitForAsync(r => r.IsFor(machine.Id, "machine.online"), "the online webhook", TimeSpan.FromSeconds(30));
            await platform.Machines.Pause(machine.Id);

            // (With a 1 s threshold the machine may go offline again meanwhile: that is another episode.)
            var episode = receiver.Where(r => r.IsFor(machine.Id, "machine.offline"))[0].Json.GetProperty("episode_id").GetGuid();
            var sequence = receiver.Where(r => r.MachineOf() == machine.Id && r.Json.GetProperty("episode_id").GetGuid() == episode)
                .Select(r => (r.Json.GetProperty("event").GetString()!, r.AnsweredStatus)).ToList();
            Assert.Equal([("machine.offline", 503), ("machine.offline", 503), ("machine.offline", 503), ("machine.offline", 200), ("machine.online", 200)], sequence);

            // Nor does the next episode's offline overtake this episode's online.
            var accepted = receiver.Where(r => r.MachineOf() == machine.Id && r.Accepted)
                .Select(r => (r.Json.GetProperty("episode_id").GetGuid(), r.Json.GetProperty("event").GetString())).ToList();
            Assert.Equal(accepted.IndexOf((episode, "machine.offline")) + 1, accepted.IndexOf((episode, "machine.online")));
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task An_online_that_arrives_before_its_offline_waits_for_it()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            var (offline, online) = Channels.MadeUpEpisode("online-first");
            await platform.PublishAsync(online);
            // The online is recorded but held: the offline of its episode has not been recorded yet.
            await Eventually.Async(() => platform.DeliveriesAsync(machine: offline.Machine.Id),
                log => log.Any(d => d.Kind == "online" && d.ChannelId == channel.Id), "the online delivery recorded", seconds: 15);
            await Task.Delay(TimeSpan.FromSeconds(1)); // a window in which an early online would show
            Assert.Empty(receiver.Where(r => r.MachineOf() == offline.Machine.Id));

            await platform.PublishAsync(offline);
            await receiver.WaitForAsync(r => r.MachineOf() == offline.Machine.Id, "offline and online", TimeSpan.FromSeconds(15), 2);
            Assert.Equal(["machine.offline", "machine.online"],
                receiver.Where(r => r.MachineOf() == offline.Machine.Id).Select(r => r.Json.GetProperty("event").GetString()));
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }
}
