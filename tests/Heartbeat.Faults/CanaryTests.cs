using System.Net;
using System.Net.Http.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.Faults.Harness;

namespace Heartbeat.Faults;

/// <summary>The platform's own canaries prove intake, but are no user's machines, and crashed instances leave none behind.</summary>
[Collection(FaultCollection.Name)]
public class CanaryTests(FaultFixture fixture)
{
    private const string CanaryTag = "platform-canary";
    private FaultPlatform Platform => fixture.Platform;

    [Fact]
    public async Task Canaries_are_in_no_list_count_or_machine_page()
    {
        await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(30));
        var canaries = await Eventually.Async(Platform.CanariesAsync, c => c.Count >= Platform.DetectorCount,
            "a canary registered by every detector", TimeSpan.FromSeconds(30));
        var user = await Platform.RegisterAsync("canary test user machine");

        // Every instance's own board, the leader's and the standby's, and the gateway's answer.
        foreach (var address in Platform.Detectors.Select(d => d.BaseAddress).Append(Platform.Gateway.BaseAddress))
        {
            using var http = FaultPlatform.Admin(address);
            var page = await Eventually.Async(() => http.GetFromJsonAsync<MachinePage>("/api/machines?limit=1000", HeartbeatJson.Options),
                p => p!.Machines.Any(m => m.Id == user.Id), $"the user's machine listed by {address}", TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(page!.Machines, m => canaries.Contains(m.Id) || m.Tags.Contains(CanaryTag) || m.Name == "platform canary");
            Assert.Equal(page.Machines.Count, page.Total);
            Assert.Equal(page.Total, page.Counts.Values.Sum());
            var tagged = await http.GetFromJsonAsync<MachinePage>($"/api/machines?tag={CanaryTag}", HeartbeatJson.Options);
            Assert.Equal(0, tagged!.Total);
            using var one = await http.GetAsync($"/api/machines/{canaries[0]}");
            Assert.Equal(HttpStatusCode.NotFound, one.StatusCode);
        }
        await Platform.Machines.Pause(user.Id);
    }

    [Fact]
    public async Task A_crashed_detector_leaves_no_canary_behind()
    {
        var leader = await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(30));
        var standby = Platform.Detectors.Single(d => d != leader);
        // Earlier faults in this suite killed detectors: their canaries are retired by now or soon.
        var before = await Eventually.Async(Platform.CanariesAsync, c => c.Count == Platform.DetectorCount,
            "one canary per running detector", TimeSpan.FromSeconds(60));

        await standby.KillAsync();
        await Platform.StartLiveAsync(standby);

        // The restarted process registers a canary of its own; the leader retires the one the crash left behind.
        var after = await Eventually.Async(Platform.CanariesAsync, c => c.Count == Platform.DetectorCount && c.Except(before).Count() == 1,
            "the restarted detector's new canary, and the crashed one's retired", TimeSpan.FromSeconds(60));
        var abandoned = before.Except(after).Single();
        await using var retired = Platform.Database.CreateCommand(
            "select count(*) from heartbeat_events.mt_events where stream_id = $1 and type = 'machine_retired'");
        retired.Parameters.AddWithValue(abandoned);
        Assert.Equal(1L, (long)(await retired.ExecuteScalarAsync())!);
    }
}
