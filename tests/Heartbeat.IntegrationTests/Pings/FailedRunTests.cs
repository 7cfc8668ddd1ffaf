using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Pings;

/// <summary>Failure signals make a machine offline at once and are told like an outage; the next success ends it.</summary>
[Collection(PlatformCollection.Name)]
public class FailedRunTests(PlatformFixture platform)
{
    private async Task<(RegisteredMachine, PingKeyCreated)> MachineWithPingKeyAsync()
    {
        // A threshold far longer than the test: any offline here comes from the failure signal, not from silence.
        var machine = await platform.RegisterAsync(thresholdSeconds: 3600);
        return (machine, (await platform.Machines.CreatePingKey(machine.Id)).Content!);
    }

    [Theory]
    [InlineData("/fail")]
    [InlineData("/1")]
    public async Task A_healthchecks_failure_is_an_outage_told_once_and_the_next_success_ends_it(string suffix)
    {
        var (machine, key) = await MachineWithPingKeyAsync();
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", "-m", "10", key.PingUrl)).Output);
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", "-m", "10", "--data-raw", "rsync: connection refused", key.PingUrl + suffix)).Output);

        var offline = await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(15));
        Assert.Equal("offline", (await platform.Machines.Get(machine.Id)).Content!.Status);

        Assert.Equal("OK", (await Curl.RunAsync("-fsS", "-m", "10", key.PingUrl + "/0")).Output);
        var online = await platform.Webhooks.WaitForAsync(machine.Id, "machine.online", TimeSpan.FromSeconds(15));
        Assert.Equal(offline.EpisodeId, online.EpisodeId);
        Assert.Single(platform.Webhooks.For(machine.Id), w => w.Event == "machine.offline");
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Uptime_kuma_status_down_is_an_outage_at_once()
    {
        var (machine, key) = await MachineWithPingKeyAsync();
        var pushBase = key.PushUrl[..key.PushUrl.IndexOf('?')];
        Assert.Equal("""{"ok":true}""", (await Curl.RunAsync("-fsS", $"{pushBase}?status=up&msg=OK&ping=")).Output);
        Assert.Equal("""{"ok":true}""", (await Curl.RunAsync("-fsS", $"{pushBase}?status=down&msg=disk%20full&ping=")).Output);
        await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(15));
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_log_line_neither_proves_a_silent_machine_alive_nor_makes_it_offline()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 2);
        var key = (await platform.Machines.CreatePingKey(machine.Id)).Content!;
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", key.PingUrl)).Output);
        await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(15));
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", "--data-raw", "still copying", key.PingUrl + "/log")).Output);

        await Task.Delay(OfflineNotificationTests.QuietWindow); // a window in which a wrong online would show, not synchronisation
        Assert.DoesNotContain(platform.Webhooks.For(machine.Id), w => w.Event == "machine.online");
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }
}
