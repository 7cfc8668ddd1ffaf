using System.Net;
using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Dashboard;

/// <summary>
/// GET /api/machines/stream through the gateway. The fixture runs the gateway with a 5 s activity timeout for the
/// detector and the detector with a 1 s keep-alive, so a stream kept open only by its keep-alives is tested for real.
/// </summary>
[Collection(PlatformCollection.Name)]
public class MachineStreamTests(PlatformFixture platform)
{
    private static MachineChanged Change(StreamEvent e) => JsonSerializer.Deserialize<MachineChanged>(e.Data, HeartbeatJson.Options)!;

    private static Func<StreamEvent, bool> ChangeOf(Guid id, string status) =>
        e => e.Type == "machine" && Change(e) is var c && c.Machine.Id == id && c.Machine.Status == status;

    [Fact]
    public async Task Announces_each_status_change_and_stays_open_past_the_gateway_activity_timeout()
    {
        await using var stream = await EventStream.OpenAsync(platform.Gateway.BaseAddress, PlatformFixture.ReadKey);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        var ready = await stream.WaitForAsync(e => e.Type == "ready", "the ready event");
        Assert.True(JsonDocument.Parse(ready.Data).RootElement.GetProperty("counts").TryGetProperty("offline", out _));

        var machine = await platform.RegisterAsync(thresholdSeconds: 1);
        var added = Change(await stream.WaitForAsync(ChangeOf(machine.Id, "new"), "the new machine"));
        Assert.Null(added.PreviousStatus);
        Assert.True(added.Total > 0);

        // Nothing changes for longer than the gateway's activity timeout: only keep-alives pass.
        var quietFrom = DateTimeOffset.UtcNow;
        await stream.WaitForAsync(e => e.Type is null && e.ReceivedAt > quietFrom.AddSeconds(6), "keep-alives beyond the 5 s activity timeout", seconds: 15);

        await platform.SendHeartbeatAsync(machine);
        Assert.Equal("new", Change(await stream.WaitForAsync(ChangeOf(machine.Id, "online"), "online after the heartbeat")).PreviousStatus);
        var offline = Change(await stream.WaitForAsync(ChangeOf(machine.Id, "offline"), "offline after the threshold"));
        Assert.Equal("online", offline.PreviousStatus);
        Assert.True(offline.Counts["offline"] >= 1);
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
        await stream.WaitForAsync(ChangeOf(machine.Id, "paused"), "paused");
        Assert.Null(stream.Ended);
    }

    [Fact]
    public async Task A_client_that_reconnects_with_Last_Event_ID_gets_what_it_missed()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 300);
        string lastId;
        await using (var first = await EventStream.OpenAsync(platform.Gateway.BaseAddress, PlatformFixture.ReadKey))
        {
            await first.WaitForAsync(e => e.Type == "ready", "the ready event");
            await platform.SendHeartbeatAsync(machine);
            lastId = (await first.WaitForAsync(ChangeOf(machine.Id, "online"), "online")).Id!;
        }

        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode); // while no one listens
        await Eventually.Async(async () => (await platform.Machines.List(q: machine.Name)).Content!.Machines.Single().Status, s => s == "paused", "the list shows it paused");

        await using var resumed = await EventStream.OpenAsync(platform.Gateway.BaseAddress, PlatformFixture.ReadKey, lastId);
        var seen = new List<StreamEvent>();
        await resumed.WaitForAsync(ChangeOf(machine.Id, "paused"), "the missed pause, replayed", seen: seen);
        Assert.DoesNotContain(seen, e => e.Type is "ready" or "reset");
    }

    [Fact]
    public async Task An_id_it_cannot_resume_from_says_reset()
    {
        await using var stream = await EventStream.OpenAsync(platform.Gateway.BaseAddress, PlatformFixture.ReadKey, "0123456789ab-5");
        var reset = await stream.WaitForAsync(e => e.Type is "reset" or "ready", "the first event");
        Assert.Equal("reset", reset.Type);
    }
}
