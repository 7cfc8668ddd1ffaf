using System.Net;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

[Collection(PlatformCollection.Name)]
public class HeartbeatIntakeTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_heartbeat_through_the_gateway_is_stored_and_projected()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 60, name: "intake-web-1");
        Assert.StartsWith(platform.Gateway.BaseAddress.ToString().TrimEnd('/'), machine.HeartbeatUrl);

        var accepted = await platform.SendHeartbeatAsync(machine, new HeartbeatRequest("1.2.3", "warning", "disk 91% full"));

        Assert.Equal("ok", accepted.Status);
        Assert.True(accepted.HeartbeatReceived);
        Assert.Equal(machine.Id, accepted.MachineId);
        Assert.Equal("intake-web-1", accepted.MachineName);
        // Answered after commit: the event is already in the store (and the detector may already have begun the warning spell).
        Assert.InRange(await platform.CountEventsAsync(machine.Id), 2, 3); // registration + heartbeat (+ MachineReportedWarning)

        var view = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content,
            v => v?.LastSeen == accepted.Timestamp, "the machine's status shows the heartbeat");
        Assert.Equal("warning", view!.Status);
        Assert.Equal("disk 91% full", view.Message);
        Assert.Equal(3, await platform.CountEventsAsync(machine.Id)); // + the warning spell the heartbeat began, stored with it being seen
        Assert.Equal(60, view.OfflineThresholdSeconds);
    }

    [Fact]
    public async Task A_registered_machine_that_never_sent_is_new()
    {
        var machine = await platform.RegisterAsync();

        // Readable at once: the status call folds in events the async projection has not applied yet.
        var view = (await platform.Machines.Get(machine.Id)).Content;

        Assert.Equal("new", view!.Status);
        Assert.Null(view.LastSeen);
    }

    [Fact]
    public async Task The_machine_list_needs_a_key_and_accepts_a_read_key()
    {
        var machine = await platform.RegisterAsync();

        var anonymous = await platform.Http.GetAsync("/api/machines");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/machines");
        request.Headers.Authorization = new("Bearer", PlatformFixture.ReadKey);
        await Eventually.Async(async () => await (await platform.Http.SendAsync(Clone(request))).Content.ReadAsStringAsync(),
            body => body.Contains(machine.Id.ToString()), "the read key lists the new machine");
    }

    private static HttpRequestMessage Clone(HttpRequestMessage r)
    {
        var copy = new HttpRequestMessage(r.Method, r.RequestUri);
        copy.Headers.Authorization = r.Headers.Authorization;
        return copy;
    }
}
