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
}
