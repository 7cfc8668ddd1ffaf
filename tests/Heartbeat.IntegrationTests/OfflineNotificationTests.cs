using System.Security.Cryptography;
using System.Text;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

[Collection(PlatformCollection.Name)]
public class OfflineNotificationTests(PlatformFixture platform)
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(3);

    /// <summary>Long enough for a duplicate to have arrived, had one been sent (a delivery takes well under a second here).</summary>
    public static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_silent_machine_is_announced_once_within_a_second_of_its_deadline_then_once_on_recovery()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: (int)Threshold.TotalSeconds);
        var last = await platform.SendHeartbeatAsync(machine);
        var deadline = last.Timestamp + Threshold;

        var offline = await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", Threshold + TimeSpan.FromSeconds(5));

        var late = offline.ReceivedAt - deadline;
        Console.WriteLine($"deadline → offline appended {(offline.OccurredAt - deadline).TotalMilliseconds:F0} ms, → webhook received {late.TotalMilliseconds:F0} ms");
        Assert.True(late <= TimeSpan.FromSeconds(1), $"offline webhook {late.TotalMilliseconds:F0} ms after the deadline\n{platform.Logs()}");
        Assert.True(late >= TimeSpan.Zero, $"offline webhook {-late.TotalMilliseconds:F0} ms before the deadline");
        AssertSigned(offline);
        Assert.Equal(machine.Name, offline.Machine.GetProperty("name").GetString());
        Assert.Equal("offline", offline.Machine.GetProperty("status").GetString());
        Assert.Equal(last.Timestamp, offline.Machine.GetProperty("last_seen").GetDateTimeOffset());

        var back = await platform.SendHeartbeatAsync(machine);
        var online = await platform.Webhooks.WaitForAsync(machine.Id, "machine.online", TimeSpan.FromSeconds(5));
        AssertSigned(online);
        Assert.Equal(offline.EpisodeId, online.EpisodeId);
        Assert.Equal(back.Timestamp, online.OccurredAt);

        await Task.Delay(QuietWindow); // a window in which a duplicate would show, not synchronisation
        Assert.Equal(["machine.offline", "machine.online"],
            platform.Webhooks.For(machine.Id).Where(w => w.EpisodeId == offline.EpisodeId).Select(w => w.Event));
    }

    [Fact]
    public async Task The_history_lists_the_episode_newest_first()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 1);
        await platform.RunEpisodeAsync(machine);

        var history = (await platform.Machines.History(machine.Id)).Content!.Transitions.Where(t => t.Kind is "online" or "offline").ToList();

        Assert.Equal(["online", "offline"], history.Select(t => t.Kind));
        Assert.Equal(history[0].EpisodeId, history[1].EpisodeId);
        Assert.True(history[0].DowntimeSeconds > 0);
    }

    [Fact]
    public async Task A_paused_machine_is_not_announced()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 1);
        await platform.SendHeartbeatAsync(machine);
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);

        var view = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content, v => v?.Status == "paused", "the machine shows as paused");
        await Task.Delay(Threshold + QuietWindow); // well past its deadline

        Assert.Empty(platform.Webhooks.For(machine.Id));
        Assert.Equal("paused", (await platform.Machines.Get(machine.Id)).Content!.Status);
        Assert.Null(view!.OfflineSince);
    }

    private static void AssertSigned(ReceivedWebhook webhook)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(PlatformFixture.ChannelSecret), Encoding.UTF8.GetBytes(webhook.Body)));
        Assert.Equal(expected, webhook.Signature);
    }
}
