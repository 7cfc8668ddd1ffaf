using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Tests.Tracking;

public class JobRunsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan DefaultThreshold = TimeSpan.FromMinutes(2);

    private static TrackedMachine Job(TimeSpan? maxDuration = null) => TrackedMachine.Create(
        new MachineRegistered(Guid.CreateVersion7(), "export", null, null, [], TimeSpan.FromHours(1), null, "h", T0.AddDays(-1), MaxRunDuration: maxDuration), 1);

    private static HeartbeatEntry At(TrackedMachine m, TimeSpan after, RunSignal? signal = null, int? exitCode = null) =>
        new(m.Id, T0 + after, Run: signal is { } s ? new HeartbeatRun(s, exitCode) : null);

    private static TrackedMachine Started(TrackedMachine m)
    {
        var start = At(m, TimeSpan.Zero, RunSignal.Started);
        return JobRuns.Track(m.Seen(start), start);
    }

    [Fact]
    public void A_non_zero_exit_ends_the_run_as_failed_with_its_code_and_duration()
    {
        var running = Started(Job());

        var run = JobRuns.Finished(running, At(running, TimeSpan.FromSeconds(95), RunSignal.Exited, 3));

        Assert.NotNull(run);
        Assert.True(run.Failed);
        Assert.Equal(3, run.ExitCode);
        Assert.Equal(TimeSpan.FromSeconds(95), run.Duration);
    }

    [Fact]
    public void Exit_zero_ends_the_run_as_a_success()
    {
        var running = Started(Job());
        var run = JobRuns.Finished(running, At(running, TimeSpan.FromSeconds(5), RunSignal.Exited, 0));
        Assert.False(run!.Failed);
    }

    [Fact]
    public void A_log_line_or_a_heartbeat_without_a_start_records_no_run()
    {
        var running = Started(Job());
        var log = At(running, TimeSpan.FromSeconds(5), RunSignal.Logged);
        Assert.Null(JobRuns.Finished(running, log));
        Assert.Equal(T0, JobRuns.Track(running, log).RunStartedAt);

        var idle = Job();
        Assert.Null(JobRuns.Finished(idle, At(idle, TimeSpan.FromSeconds(5))));
    }

    [Fact]
    public void Max_duration_bounds_a_run_before_the_threshold_does()
    {
        Assert.Equal(T0 + TimeSpan.FromMinutes(15), Started(Job(TimeSpan.FromMinutes(15))).Deadline(DefaultThreshold));
        Assert.Equal(T0 + TimeSpan.FromHours(1), Started(Job()).Deadline(DefaultThreshold)); // the machine's threshold
    }
}
