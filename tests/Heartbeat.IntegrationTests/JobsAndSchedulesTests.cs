using System.Net;
using System.Text;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>Cron schedules and job runs (start, fail, exit code, duration) through the gateway.</summary>
[Collection(PlatformCollection.Name)]
public class JobsAndSchedulesTests(PlatformFixture platform)
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", PlatformFixture.AdminKey);
        return await platform.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_job_registered_with_a_schedule_shows_its_next_expected_run_in_its_time_zone()
    {
        var response = await platform.Machines.Register(new RegisterMachineRequest($"backup-{Guid.NewGuid():N}"[..14],
            Schedule: "0 3 * * *", Timezone: "Europe/Berlin", GraceSeconds: 600));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var view = (await platform.Machines.Get(response.Content!.Id)).Content!;

        Assert.Equal(new ScheduleView("0 3 * * *", "Europe/Berlin", 600), view.Schedule);
        Assert.NotNull(view.NextExpectedRun);
        Assert.InRange(view.NextExpectedRun.Value, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal(TimeSpan.FromHours(3), TimeZoneInfo.ConvertTime(view.NextExpectedRun.Value, Berlin).TimeOfDay);
        Assert.Equal("new", view.Status);
    }

    [Fact]
    public async Task A_machine_put_on_a_schedule_by_patch_is_expected_at_its_runs_and_back_on_an_interval_by_another()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 600);
        var patched = await platform.Machines.ChangeSettings(machine.Id,
            new ChangeMachineSettingsRequest(Schedule: "*/15 * * * *", Timezone: "UTC", GraceSeconds: 120, MaxDurationSeconds: 300));
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);

        var view = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!,
            v => v.Schedule is not null, "the schedule in the machine's status");
        Assert.Equal(0, view.NextExpectedRun!.Value.Minute % 15);
        Assert.Equal(300, view.MaxDurationSeconds);

        Assert.Equal(HttpStatusCode.NoContent, (await platform.Machines.ChangeSettings(machine.Id, new ChangeMachineSettingsRequest(ExpectedIntervalSeconds: 60))).StatusCode);
        var onInterval = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!,
            v => v.Schedule is null, "the schedule removed by an expected interval");
        Assert.Null(onInterval.NextExpectedRun);
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Theory]
    [InlineData("""{"name":"bad-cron","schedule":"61 * * * *"}""", "schedule")]
    [InlineData("""{"name":"bad-zone","schedule":"0 3 * * *","timezone":"Mars/Olympus_Mons"}""", "timezone")]
    [InlineData("""{"name":"both","schedule":"0 3 * * *","expected_interval_seconds":60,"offline_threshold_seconds":120}""", "schedule")]
    [InlineData("""{"name":"zone-alone","timezone":"Europe/Berlin"}""", "schedule")]
    [InlineData("""{"name":"bad-grace","schedule":"0 3 * * *","grace_seconds":0}""", "grace_seconds")]
    public async Task An_invalid_schedule_gets_a_problem_naming_the_field(string body, string field)
    {
        var response = await SendAsync(HttpMethod.Post, "/api/machines", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_invalid_schedule_in_a_patch_changes_nothing()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 600);
        var response = await SendAsync(HttpMethod.Patch, $"/api/machines/{machine.Id}", """{"schedule":"0 3 * * *","timezone":"Nowhere/Land"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"timezone\"", await response.Content.ReadAsStringAsync());
        Assert.Null((await platform.Machines.Get(machine.Id)).Content!.Schedule);
    }

    [Fact]
    public async Task A_started_run_ends_with_the_next_heartbeat_and_its_duration_shows_in_history_and_detail()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 3600);
        var started = await platform.Heartbeats.StartRun(machine.Id, null, machine.Token);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!, v => v.RunStartedAt is not null, "the run in progress");

        var ended = await platform.SendHeartbeatAsync(machine, new HeartbeatRequest(Message: "backup done"));

        var view = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!, v => v.LastRun is not null, "the finished run");
        Assert.Equal("succeeded", view.LastRun!.Outcome);
        Assert.Equal(started.Content!.Timestamp, view.LastRun.StartedAt);
        Assert.Equal(ended.Timestamp, view.LastRun.FinishedAt);
        Assert.Equal((ended.Timestamp - started.Content.Timestamp).TotalSeconds, view.LastRun.DurationSeconds, precision: 3);
        Assert.Null(view.RunStartedAt);
        var run = Assert.Single((await platform.Machines.History(machine.Id)).Content!.Transitions, t => t.Kind == "run");
        Assert.Equal(view.LastRun, run.Run);
        Assert.Equal("online", view.Status);
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_non_zero_exit_is_an_outage_told_once_with_its_code_and_exit_zero_ends_it()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 3600); // any offline here comes from the exit code
        Assert.Equal(HttpStatusCode.OK, (await platform.Heartbeats.StartRun(machine.Id, null, machine.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await platform.Heartbeats.ExitRun(machine.Id, 3, new HeartbeatRequest(Message: "rsync: connection refused"), machine.Token)).StatusCode);

        var offline = await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(15));
        var view = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!, v => v.LastRun is not null, "the failed run");
        Assert.Equal("offline", view.Status);
        Assert.Equal(("failed", 3), (view.LastRun!.Outcome, view.LastRun.ExitCode));

        Assert.Equal(HttpStatusCode.OK, (await platform.Heartbeats.ExitRun(machine.Id, 0, null, machine.Token)).StatusCode);
        var online = await platform.Webhooks.WaitForAsync(machine.Id, "machine.online", TimeSpan.FromSeconds(15));
        Assert.Equal(offline.EpisodeId, online.EpisodeId);
        Assert.Single(platform.Webhooks.For(machine.Id), w => w.Event == "machine.offline");
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Fail_is_an_outage_at_once()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 3600);
        await platform.SendHeartbeatAsync(machine);
        Assert.Equal(HttpStatusCode.OK, (await platform.Heartbeats.FailRun(machine.Id, null, machine.Token)).StatusCode);
        await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(15));
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_run_longer_than_its_max_duration_is_an_outage()
    {
        var registered = await platform.Machines.Register(new RegisterMachineRequest($"export-{Guid.NewGuid():N}"[..14], OfflineThresholdSeconds: 3600, MaxDurationSeconds: 2));
        var machine = registered.Content!;
        var started = await platform.Heartbeats.StartRun(machine.Id, null, machine.Token);

        var offline = await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(20));

        // Not before the run's limit, and long before the hour-long threshold.
        Assert.True(offline.OccurredAt >= started.Content!.Timestamp.AddSeconds(2), $"offline at {offline.OccurredAt:O}, run started {started.Content.Timestamp:O}");
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task An_exit_code_that_is_not_one_gets_a_problem_and_a_wrong_token_the_same_401_as_heartbeats()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 3600);
        using var bad = new HttpRequestMessage(HttpMethod.Post, $"/api/heartbeat/{machine.Id}/exit/abc");
        bad.Headers.Authorization = new("Bearer", machine.Token);
        var response = await platform.Http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"code\"", await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Heartbeats.StartRun(machine.Id, null, "not-the-token")).StatusCode);
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }
}
