using System.Text.Json.Nodes;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>Reminders through the gateway: an offline repeated while the machine stays down, at most renotify_max times, and no more once it is back.</summary>
[Collection(PlatformCollection.Name)]
public class ReminderTests(PlatformFixture platform)
{
    [Fact]
    public async Task An_offline_is_repeated_at_most_renotify_max_times_while_the_machine_stays_down()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateAsync(new CreateChannelRequest("reminders", "webhook", receiver.Url("hooks").ToString(), Channels.Secret,
            RenotifyEvery: "1s", RenotifyMax: 3));
        var (offline, _) = Channels.MadeUpEpisode("remind-max");
        try
        {
            Assert.Equal(("1s", 3), (channel.RenotifyEvery, channel.RenotifyMax));
            await platform.PublishAsync(offline);
            var reminders = await receiver.WaitForAsync(r => r.IsFor(offline.Machine.Id, "machine.offline") && r.Json.TryGetProperty("reminder", out _),
                "three reminders", TimeSpan.FromSeconds(30), count: 3);
            Assert.Equal([1, 2, 3], reminders.Select(r => r.Json.GetProperty("reminder").GetInt32()).Order());

            // At least a second apart, each counted from the one before.
            var times = receiver.Where(r => r.IsFor(offline.Machine.Id, "machine.offline")).Select(r => r.ReceivedAt).Order().ToList();
            Assert.Equal(4, times.Count);
            Assert.All(times.Zip(times.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromSeconds(0.9), $"reminders {p.First:O} and {p.Second:O} less than the interval apart"));

            // No fourth: well past the next interval, still three.
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.Equal(3, receiver.Where(r => r.IsFor(offline.Machine.Id, "machine.offline") && r.Json.TryGetProperty("reminder", out _)).Count);
            var log = await platform.DeliveriesAsync(machine: offline.Machine.Id, channel: channel.Id);
            Assert.Equal(3, log.Count(d => d.Kind == "reminder" && d.Status == "delivered"));
            Assert.Contains(log, d => d.Id == $"{offline.EpisodeId}:{channel.Id}:offline:reminder:3");
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task Reminders_stop_when_the_machine_is_back()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        var changed = await platform.Channels.Update(channel.Id, new JsonObject { ["renotify_every"] = "2s", ["renotify_max"] = 100 });
        Assert.True(changed.IsSuccessStatusCode, $"patch: {changed.StatusCode}");
        var (offline, online) = Channels.MadeUpEpisode("remind-stop");
        try
        {
            await platform.PublishAsync(offline);
            await receiver.WaitForAsync(r => r.IsFor(offline.Machine.Id, "machine.offline") && r.Json.TryGetProperty("reminder", out _),
                "a first reminder", TimeSpan.FromSeconds(20));
            await platform.PublishAsync(online);
            await receiver.WaitForAsync(r => r.IsFor(offline.Machine.Id, "machine.online"), "the online", TimeSpan.FromSeconds(20));
            var remindedSoFar = receiver.Where(r => r.IsFor(offline.Machine.Id, "machine.offline")).Count;

            // Several intervals later nothing more about this machine's offline has arrived.
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.Equal(remindedSoFar, receiver.Where(r => r.IsFor(offline.Machine.Id, "machine.offline")).Count);
            Assert.DoesNotContain(await platform.DeliveriesAsync(machine: offline.Machine.Id, channel: channel.Id), d => d.Status == "pending");
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }
}
