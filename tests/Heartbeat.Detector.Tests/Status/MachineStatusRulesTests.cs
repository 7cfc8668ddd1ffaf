using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Status;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Tests.Status;

public class MachineStatusRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 3, 12, 0, TimeSpan.Zero);
    private static readonly DetectorOptions Defaults = new();
    private static readonly MachineState Status = new() { Id = Guid.CreateVersion7(), Name = "web-1", RegisteredAt = Now.AddHours(-1) };
    private static readonly TrackedMachine Tracked = new() { Id = Status.Id, Name = "web-1", MonitoredSince = Now.AddHours(-1) };

    [Theory]
    [InlineData(5, ReportedStatus.Ok, "online")]
    [InlineData(5, ReportedStatus.Warning, "warning")]
    [InlineData(31, ReportedStatus.Ok, "late")]
    [InlineData(600, ReportedStatus.Warning, "late")]
    public void Shows_how_fresh_the_last_heartbeat_is(int secondsAgo, ReportedStatus reported, string expected)
    {
        var tracked = Tracked with { LastSeenAt = Now.AddSeconds(-secondsAgo), ReportedStatus = reported };
        Assert.Equal(expected, MachineStatusRules.StateOf(Status, tracked, Now, Defaults));
    }

    [Fact]
    public void A_machine_never_seen_is_new() =>
        Assert.Equal("new", MachineStatusRules.StateOf(Status, Tracked, Now, Defaults));

    [Fact]
    public void An_open_episode_is_offline() =>
        Assert.Equal("offline", MachineStatusRules.StateOf(Status, Tracked with { LastSeenAt = Now.AddMinutes(-3), OpenEpisodeId = Guid.CreateVersion7(), OfflineSince = Now }, Now, Defaults));

    [Fact]
    public void Paused_wins_over_everything() =>
        Assert.Equal("paused", MachineStatusRules.StateOf(Status with { Paused = true }, Tracked with { OpenEpisodeId = Guid.CreateVersion7() }, Now, Defaults));

    [Fact]
    public void Uses_the_machines_own_expected_interval()
    {
        var tracked = Tracked with { LastSeenAt = Now.AddSeconds(-20) };
        Assert.Equal("late", MachineStatusRules.StateOf(Status with { ExpectedInterval = TimeSpan.FromSeconds(10) }, tracked, Now, Defaults));
    }

    [Fact]
    public void A_scheduled_job_is_online_until_its_expected_run_passes_then_late_and_shows_that_run()
    {
        // Hourly; seen at 02:00:20 UTC, so the 03:00 run is expected: at 03:12 it is late (within its grace).
        var scheduled = Status with { Schedule = new CronSchedule("0 * * * *", "UTC", TimeSpan.FromMinutes(30)) };
        var seen = Tracked with { LastSeenAt = new DateTimeOffset(2026, 11, 23, 2, 0, 20, TimeSpan.Zero) };

        Assert.Equal("online", MachineStatusRules.StateOf(scheduled, seen, Now.AddMinutes(-13), Defaults));
        Assert.Equal("late", MachineStatusRules.StateOf(scheduled, seen, Now, Defaults));
        // The document's schedule counts, also before the tracker has read the change that set it.
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero), MachineStatusRules.View(scheduled, seen, Now, Defaults).NextExpectedRun);
        Assert.Null(MachineStatusRules.View(Status, seen with { Schedule = scheduled.Schedule }, Now, Defaults).NextExpectedRun);
    }
}
