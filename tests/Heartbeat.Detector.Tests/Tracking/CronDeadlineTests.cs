using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;
using Heartbeat.Detector.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Heartbeat.Detector.Tests.Tracking;

/// <summary>
/// Jobs on a cron schedule in Europe/Berlin: the deadline is the next expected run after the last heartbeat plus the
/// grace, across the 2026 daylight-saving changes (29 March 02:00 → 03:00, 25 October 03:00 → 02:00), as Cronos runs them.
/// </summary>
public class CronDeadlineTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DefaultThreshold = TimeSpan.FromMinutes(2);

    private sealed class Job(string expression, DateTimeOffset start)
    {
        public readonly FakeTimeProvider Clock = new(start);
        public TrackedMachine Machine = TrackedMachine.Create(new MachineRegistered(Guid.CreateVersion7(), "backup", null, null, [], null, null, "h",
            start.AddDays(-7), Schedule: new CronSchedule(expression, "Europe/Berlin", Grace)), 1);

        public DateTimeOffset Now => Clock.GetUtcNow();

        public void Heartbeat(RunSignal? signal = null) =>
            Machine = Machine.Seen(new HeartbeatEntry(Machine.Id, Now, Run: signal is { } s ? new HeartbeatRun(s) : null));

        public MachineWentOffline? Judge() => TransitionDecisions.Offline(Machine, Now, Now, DefaultThreshold, Guid.CreateVersion7());

        public void AdvanceTo(DateTimeOffset t) => Clock.Advance(t - Now);
    }

    private static DateTimeOffset Utc(int month, int day, int hour, int minute, int second = 0) => new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void A_daily_job_is_due_23_hours_after_its_run_on_the_night_the_clocks_go_forward()
    {
        var job = new Job("0 3 * * *", Utc(3, 28, 2, 0, 30)); // Saturday 03:00:30 CET
        job.Heartbeat();

        // Sunday 03:00 CEST is 01:00 UTC: 23 hours later, not 24.
        Assert.Equal(Utc(3, 29, 1, 0), job.Machine.NextExpectedRun());
        Assert.Equal(Utc(3, 29, 1, 10), job.Machine.Deadline(DefaultThreshold));
        job.AdvanceTo(Utc(3, 29, 1, 9, 59));
        Assert.Null(job.Judge());
        job.AdvanceTo(Utc(3, 29, 1, 10));
        Assert.NotNull(job.Judge());
    }

    [Fact]
    public void A_run_in_the_skipped_hour_is_expected_when_the_gap_ends()
    {
        var job = new Job("30 2 * * *", Utc(3, 28, 1, 30, 10)); // Saturday 02:30:10 CET
        job.Heartbeat();

        // Sunday 02:30 does not exist in Berlin; Cronos runs it at 03:00 CEST, 01:00 UTC.
        Assert.Equal(Utc(3, 29, 1, 0), job.Machine.NextExpectedRun());
        job.AdvanceTo(Utc(3, 29, 1, 9, 59));
        Assert.Null(job.Judge());
        job.AdvanceTo(Utc(3, 29, 1, 10, 1));
        Assert.NotNull(job.Judge());
    }

    [Fact]
    public void A_run_in_the_repeated_hour_is_expected_once_when_the_clocks_go_back()
    {
        var job = new Job("30 2 * * *", Utc(10, 25, 0, 30, 5)); // Sunday 02:30:05 CEST, the first 02:30
        job.Heartbeat();

        // The second 02:30 (CET, 01:30 UTC) is not another expected run: the next is Monday 02:30 CET.
        Assert.Equal(Utc(10, 26, 1, 30), job.Machine.NextExpectedRun());
        job.AdvanceTo(Utc(10, 25, 1, 45));
        Assert.Null(job.Judge());
        job.AdvanceTo(Utc(10, 26, 1, 40));
        Assert.NotNull(job.Judge());
    }

    [Fact]
    public void A_missed_run_is_an_outage_once_its_grace_has_passed()
    {
        var job = new Job("0 * * * *", Utc(11, 27, 9, 0, 20)); // hourly
        job.Heartbeat();
        job.AdvanceTo(Utc(11, 27, 10, 5));
        Assert.Null(job.Judge()); // the 10:00 run is late, within its grace

        job.AdvanceTo(Utc(11, 27, 10, 10));
        var offline = job.Judge();

        Assert.NotNull(offline);
        Assert.Equal(Utc(11, 27, 9, 0, 20), offline.LastSeenAt);
    }

    [Fact]
    public void A_started_run_that_does_not_finish_within_its_grace_is_an_outage_and_the_next_heartbeat_records_its_duration()
    {
        var job = new Job("0 3 * * *", Utc(11, 27, 2, 0)); // 03:00 CET
        var start = new HeartbeatEntry(job.Machine.Id, job.Now, Run: new HeartbeatRun(RunSignal.Started));
        job.Machine = JobRuns.Track(job.Machine.Seen(start), start);
        Assert.Equal(Utc(11, 27, 2, 10), job.Machine.Deadline(DefaultThreshold)); // not tomorrow's run: the run's own limit

        job.AdvanceTo(Utc(11, 27, 2, 10));
        Assert.NotNull(job.Judge());

        job.AdvanceTo(Utc(11, 27, 2, 25));
        var end = new HeartbeatEntry(job.Machine.Id, job.Now);
        var run = JobRuns.Finished(job.Machine, end);
        Assert.NotNull(run);
        Assert.Equal(TimeSpan.FromMinutes(25), run.Duration);
        Assert.False(run.Failed);
        Assert.Null(JobRuns.Track(job.Machine, end).RunStartedAt);
    }
}
