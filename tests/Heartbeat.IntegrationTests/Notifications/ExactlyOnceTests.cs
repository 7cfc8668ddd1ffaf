using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

[Collection(PlatformCollection.Name)]
public class ExactlyOnceTests(PlatformFixture platform)
{
    /// <summary>Long enough for a duplicate to have arrived, had one been sent.</summary>
    private static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Two_notifier_replicas_send_every_delivery_once_even_when_each_message_is_published_twice_at_once()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        var replica = platform.AddNotifierReplica();
        try
        {
            replica.Start();
            await platform.WaitUntilReadyAsync(replica);

            // 60 episodes, every message published three times at once: both replicas consume copies concurrently.
            var episodes = Enumerable.Range(0, 60).Select(i => Channels.MadeUpEpisode($"twice-{i}")).ToList();
            await platform.PublishAsync(episodes.SelectMany(e => new object[] { e.Offline, e.Offline, e.Offline }).ToArray());
            await platform.PublishAsync(episodes.SelectMany(e => new object[] { e.Online, e.Online, e.Online }).ToArray());

            var ids = episodes.Select(e => e.Offline.Machine.Id).ToHashSet();
            await receiver.WaitForAsync(r => ids.Contains(r.MachineOf()), "offline and online webhooks", TimeSpan.FromSeconds(60), episodes.Count * 2);
            await Task.Delay(QuietWindow); // a window in which a duplicate would show, not synchronisation

            var received = receiver.Where(r => ids.Contains(r.MachineOf()));
            Assert.Equal(episodes.Count * 2, received.Count);
            Assert.All(received.GroupBy(r => (r.MachineOf(), r.Json.GetProperty("event").GetString())), g => Assert.Single(g));
            Assert.All(received.GroupBy(r => r.Header("webhook-id")), g => Assert.Single(g));
        }
        finally
        {
            await replica.StopAsync();
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task A_past_outage_found_after_the_fact_is_told_once_by_its_online_and_says_so()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            var (offline, online) = Channels.MadeUpEpisode("past-outage");
            await platform.PublishAsync(offline with { DetectedLate = true });
            await platform.PublishAsync(online with { DetectedLate = true });

            var hook = (await receiver.WaitForAsync(r => r.MachineOf() == offline.Machine.Id, "the past outage's webhook", TimeSpan.FromSeconds(20)))[0];
            await Task.Delay(QuietWindow); // a window in which an offline webhook would show, not synchronisation

            Assert.Single(receiver.Where(r => r.MachineOf() == offline.Machine.Id));
            Assert.Equal("machine.online", hook.Json.GetProperty("event").GetString());
            Assert.True(hook.Json.GetProperty("detected_late").GetBoolean());
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }
}
