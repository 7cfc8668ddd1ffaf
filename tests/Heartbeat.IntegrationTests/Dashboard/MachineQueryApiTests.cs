using System.Net;
using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Dashboard;

/// <summary>GET /api/machines (filters, problems first, counts, cursor paging), detail, history, uptime and state-at through the gateway.</summary>
[Collection(PlatformCollection.Name)]
public class MachineQueryApiTests(PlatformFixture platform)
{
    private readonly IMachinesApi _read = Keyed.Api<IMachinesApi>(platform, PlatformFixture.ReadKey);

    private async Task<RegisteredMachine> RegisterAsync(string name, string tag, int thresholdSeconds)
    {
        var response = await platform.Machines.Register(new RegisterMachineRequest(name, $"{name}.internal", "query test", [tag], thresholdSeconds));
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode} {response.Error?.Message}");
        return response.Content!;
    }

    [Fact]
    public async Task Lists_problems_first_with_counts_filters_and_cursor_pages()
    {
        var tag = $"q{Guid.NewGuid():N}"[..12];
        var down = await RegisterAsync($"{tag}-c-down", tag, 1);
        var up = await RegisterAsync($"{tag}-a-up", tag, 300);
        var fresh = await RegisterAsync($"{tag}-b-new", tag, 300);
        await platform.SendHeartbeatAsync(down);
        await platform.SendHeartbeatAsync(up);
        await platform.Webhooks.WaitForAsync(down.Id, "machine.offline", TimeSpan.FromSeconds(10));

        var page = await Eventually.Async(async () => (await _read.List(tag: tag)).Content!,
            p => p.Machines.Select(m => m.Status).SequenceEqual(["offline", "new", "online"]), "offline, then new, then online");
        Assert.Equal([down.Id, fresh.Id, up.Id], page.Machines.Select(m => m.Id));
        Assert.Equal(3, page.Total);
        Assert.Equal((1, 1, 1, 0), (page.Counts["offline"], page.Counts["new"], page.Counts["online"], page.Counts["paused"]));
        Assert.Null(page.NextCursor);

        var online = (await _read.List(status: "online", tag: tag)).Content!;
        Assert.Equal([up.Id], online.Machines.Select(m => m.Id));
        Assert.Equal(1, online.Total);
        Assert.Equal(1, online.Counts["offline"]); // counts ignore the status filter, so the summary can offer it

        Assert.Equal([fresh.Id], (await _read.List(q: $"{tag}-B")).Content!.Machines.Select(m => m.Id));
        Assert.Equal([up.Id], (await _read.List(q: $"{tag}-a-up.internal")).Content!.Machines.Select(m => m.Id)); // hostnames too
        Assert.Equal([up.Id, fresh.Id, down.Id], (await _read.List(tag: tag, sort: "name")).Content!.Machines.Select(m => m.Id)); // a-up, b-new, c-down

        var paged = new List<Guid>();
        string? cursor = null;
        do
        {
            var p = (await _read.List(tag: tag, cursor: cursor, limit: 1)).Content!;
            Assert.Single(p.Machines);
            paged.Add(p.Machines[0].Id);
            cursor = p.NextCursor;
        } while (cursor is not null && paged.Count < 10);
        Assert.Equal([down.Id, fresh.Id, up.Id], paged);

        Assert.True((await platform.Machines.Pause(down.Id)).IsSuccessStatusCode);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("status=sleeping", "status")]
    [InlineData("sort=size", "sort")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", "cursor")]
    public async Task A_bad_query_is_a_problem_naming_the_parameter(string query, string field)
    {
        using var http = Keyed.Http(platform, PlatformFixture.ReadKey);
        var response = await http.GetAsync($"/api/machines?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors name {field}: {problem}");
    }

    [Fact]
    public async Task The_list_needs_a_key()
    {
        using var http = Keyed.Http(platform, null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/machines")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/machines/stream")).StatusCode);
    }

    [Fact]
    public async Task The_detail_has_what_the_agent_last_reported()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 300);
        var sent = await platform.SendHeartbeatAsync(machine, new HeartbeatRequest("2.1.0", "warning", "disk 91 %"));

        var view = await Eventually.Async(async () => (await _read.Get(machine.Id)).Content!, v => v.LastSeen == sent.Timestamp, "the heartbeat is seen");
        Assert.Equal(("warning", "warning", "disk 91 %", "2.1.0"), (view.Status, view.ReportedStatus, view.Message, view.AgentVersion));
        Assert.Equal(sent.Timestamp.AddSeconds(view.ExpectedIntervalSeconds), view.NextExpectedAt);
        Assert.Equal(300, view.OfflineThresholdSeconds);
        Assert.False(view.Flapping);
        Assert.Equal(["test"], view.Tags);
    }

    [Fact]
    public async Task History_uptime_and_state_at_tell_the_same_outage()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 1);
        await platform.RunEpisodeAsync(machine); // heartbeat, offline, heartbeat, online, then paused

        var history = (await _read.History(machine.Id, include: "heartbeats")).Content!;
        Assert.Equal(["paused", "online", "offline", "registered"], history.Transitions.Select(t => t.Kind));
        Assert.Equal(2, history.Heartbeats!.Count);
        Assert.True(history.Heartbeats[0].ReceivedAt > history.Heartbeats[1].ReceivedAt, "heartbeats newest first");
        var (offline, online, paused, registered) = (history.Transitions[2], history.Transitions[1], history.Transitions[0], history.Transitions[3]);
        Assert.Null((await _read.History(machine.Id)).Content!.Heartbeats);

        // from/to bound the transitions.
        Assert.Equal(["paused"], (await _read.History(machine.Id, from: paused.At)).Content!.Transitions.Select(t => t.Kind));
        Assert.Equal(["offline", "registered"], (await _read.History(machine.Id, to: offline.At)).Content!.Transitions.Select(t => t.Kind));
        Assert.Equal(HttpStatusCode.BadRequest, (await _read.History(machine.Id, from: online.At, to: offline.At)).StatusCode);

        var uptime = (await _read.Uptime(machine.Id, "24h")).Content!;
        Assert.Equal(1, uptime.Episodes);
        Assert.Equal(online.DowntimeSeconds!.Value, uptime.OfflineSeconds, 3);
        Assert.Equal(uptime.OfflineSeconds, uptime.LongestOutageSeconds, 6);
        Assert.True(uptime.PausedSeconds > 0, "paused since the end of the episode");
        Assert.Equal(1 - uptime.OfflineSeconds / uptime.MonitoredSeconds, uptime.UptimeRatio, 9);
        Assert.Equal((uptime.To - registered.At).TotalSeconds, uptime.MonitoredSeconds + uptime.PausedSeconds, 2);
        Assert.Equal(["up", "offline", "up", "paused"], uptime.Spans!.Select(s => s.State));
        var week = (await _read.Uptime(machine.Id, "7d")).Content!;
        Assert.Equal(TimeSpan.FromDays(7), week.To - week.From);
        Assert.Equal(HttpStatusCode.BadRequest, (await _read.Uptime(machine.Id, "500d")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _read.Uptime(machine.Id, "soon")).StatusCode);

        var during = (await _read.StateAt(machine.Id, offline.At + (online.At - offline.At) / 2)).Content!;
        Assert.Equal(("offline", offline.At, offline.EpisodeId), (during.Status, during.Since, during.EpisodeId));
        var after = (await _read.StateAt(machine.Id, online.At)).Content!;
        Assert.Equal(("online", online.At), (after.Status, after.Since));
        Assert.Equal("paused", (await _read.StateAt(machine.Id, paused.At.AddMilliseconds(1))).Content!.Status);
        Assert.Equal("online", (await _read.StateAt(machine.Id, registered.At)).Content!.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _read.StateAt(machine.Id, registered.At.AddSeconds(-1))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _read.StateAt(machine.Id, DateTimeOffset.UtcNow.AddHours(1))).StatusCode);
        using var http = Keyed.Http(platform, PlatformFixture.ReadKey);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/machines/{machine.Id}/state-at")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/machines/{machine.Id}/state-at?t=yesterday")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_machine_is_not_found_everywhere()
    {
        var id = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await _read.Get(id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _read.History(id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _read.Uptime(id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _read.StateAt(id, DateTimeOffset.UtcNow.AddMinutes(-1))).StatusCode);
    }
}
