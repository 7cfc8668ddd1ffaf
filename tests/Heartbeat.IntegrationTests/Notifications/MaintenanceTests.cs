using System.Net;
using Heartbeat.Contracts.Http;
using Heartbeat.Contracts.Messages;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>Maintenance windows through the gateway: silenced while they last, and what is still down told once when they end.</summary>
[Collection(PlatformCollection.Name)]
public class MaintenanceTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_window_silences_an_offline_then_tells_it_once_when_it_ends()
    {
        var tag = Quiet.Unique("maint");
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        var machine = await platform.RegisterTaggedAsync(tag);
        var windowEnds = DateTimeOffset.UtcNow.AddSeconds(15);
        var window = await platform.CreateWindowAsync(new CreateMaintenanceWindowRequest(
            new ChannelMachines(Tags: [tag]), DateTimeOffset.UtcNow.AddSeconds(-1), windowEnds));
        try
        {
            Assert.True(window.Active);
            Assert.Contains((await platform.Maintenance(PlatformFixture.ReadKey).List()).Content!, w => w.Id == window.Id);

            // The real detector declares it offline inside the window.
            await platform.SendHeartbeatAsync(machine);
            var silenced = (await Eventually.Async(() => platform.DeliveriesAsync(machine: machine.Id, channel: channel.Id),
                l => l.Any(d => d.Kind == "offline"), "the offline recorded for the channel", 12)).Single(d => d.Kind == "offline");
            Assert.True(DateTimeOffset.UtcNow < windowEnds, "the machine went offline only after the window ended: the box is too slow for this test's 15 s window");
            Assert.Equal(("suppressed", "maintenance"), (silenced.Status, silenced.Reason));
            Assert.Contains(window.Id.ToString(), silenced.Detail);
            Assert.Empty(receiver.Where(r => r.IsFor(machine.Id, "machine.offline")));

            // The window ends with the machine still offline: told once, by the same delivery.
            await receiver.WaitForAsync(r => r.IsFor(machine.Id, "machine.offline"), "the offline told when the window ended", windowEnds - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15));
            Assert.True(DateTimeOffset.UtcNow >= windowEnds, "told before the window ended");
            var told = (await Eventually.Async(() => platform.DeliveriesAsync(machine: machine.Id, channel: channel.Id),
                l => l.Any(d => d.Kind == "offline" && d.Status == "delivered"), "the offline delivered")).Single(d => d.Kind == "offline");
            Assert.Equal(silenced.Id, told.Id);
            Assert.Equal("maintenance", told.Reason);

            // Several more passes of the window-end loop tell nothing more.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Single(receiver.Where(r => r.IsFor(machine.Id, "machine.offline")));

            // Its end, after the window, is told as usual.
            await platform.SendHeartbeatAsync(machine);
            await receiver.WaitForAsync(r => r.IsFor(machine.Id, "machine.online"), "the online after the window", TimeSpan.FromSeconds(20));
        }
        finally
        {
            await platform.Machines.Pause(machine.Id);
            await platform.Maintenance().Delete(window.Id);
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task An_outage_over_within_the_window_is_never_told_and_deleting_a_window_tells_what_is_still_down()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        var (downAndUp, upAgain) = Channels.MadeUpEpisode("maint-short");
        var (stillDown, _) = Channels.MadeUpEpisode("maint-long");
        var window = await platform.CreateWindowAsync(new CreateMaintenanceWindowRequest(
            new ChannelMachines(Ids: [downAndUp.Machine.Id, stillDown.Machine.Id]), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1)));
        try
        {
            await platform.PublishAsync(downAndUp, stillDown);
            await Eventually.Async(() => platform.DeliveriesAsync(channel: channel.Id, outcome: "suppressed"),
                l => l.Count(d => d.MachineId == downAndUp.Machine.Id || d.MachineId == stillDown.Machine.Id) == 2, "both offlines silenced");
            await platform.PublishAsync(upAgain);
            var up = (await Eventually.Async(() => platform.DeliveriesAsync(machine: downAndUp.Machine.Id, channel: channel.Id),
                l => l.Any(d => d.Kind == "online"), "the online recorded")).Single(d => d.Kind == "online");
            Assert.Equal(("suppressed", "maintenance"), (up.Status, up.Reason));

            Assert.Equal(HttpStatusCode.NoContent, (await platform.Maintenance().Delete(window.Id)).StatusCode);
            await receiver.WaitForAsync(r => r.IsFor(stillDown.Machine.Id, "machine.offline"), "the offline still down told when the window was deleted", TimeSpan.FromSeconds(15));
            Assert.Equal(HttpStatusCode.NotFound, (await platform.Maintenance().Get(window.Id)).StatusCode);

            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Empty(receiver.Where(r => r.MachineOf() == downAndUp.Machine.Id));
        }
        finally
        {
            await platform.Maintenance().Delete(window.Id);
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task Windows_are_validated_and_only_admins_create_them()
    {
        var bad = await platform.Maintenance().Create(new CreateMaintenanceWindowRequest(null, Schedule: "every sunday", Timezone: "Mars/Olympus", Duration: "2h"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = (bad.Error as Refit.ApiException)!.Content!;
        Assert.Contains("\"machines\"", problem);
        Assert.Contains("\"schedule\"", problem);
        Assert.Contains("\"timezone\"", problem);

        var recurring = new CreateMaintenanceWindowRequest(new ChannelMachines(Tags: ["db"]), Schedule: "0 2 * * 0", Timezone: "Europe/Berlin", Duration: "2h");
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Maintenance(PlatformFixture.ReadKey).Create(recurring)).StatusCode);
        var created = await platform.CreateWindowAsync(recurring);
        try
        {
            Assert.Equal(("0 2 * * 0", "Europe/Berlin", "2h"), (created.Schedule, created.Timezone, created.Duration));
        }
        finally
        {
            await platform.Maintenance().Delete(created.Id);
        }
    }
}
