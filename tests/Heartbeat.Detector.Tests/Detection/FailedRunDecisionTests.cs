using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Tests.Detection;

public class FailedRunDecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromMinutes(2);

    private static TrackedMachine Machine() => new() { Id = Guid.NewGuid(), Name = "backup", MonitoredSince = T0, LastSeenAt = T0 };

    private static HeartbeatEntry Ping(Guid machine, DateTimeOffset at, HeartbeatRun? run) => new(machine, at, HeartbeatSource.Healthchecks, Run: run);

    [Theory]
    [InlineData(RunSignal.Failed, null)]
    [InlineData(RunSignal.Exited, 1)]
    public void A_failed_run_is_offline_at_once(RunSignal signal, int? code)
    {
        var machine = Machine();
        var offline = TransitionDecisions.FailedRun(machine, Ping(machine.Id, T0.AddSeconds(5), new HeartbeatRun(signal, code)), Threshold, Guid.NewGuid());
        Assert.NotNull(offline);
        Assert.Equal(T0.AddSeconds(5), offline.DetectedAt);
        Assert.Equal(T0, offline.LastSeenAt);
    }

    [Fact]
    public void Exit_status_zero_and_a_start_are_not_failures()
    {
        var machine = Machine();
        Assert.Null(TransitionDecisions.FailedRun(machine, Ping(machine.Id, T0, new HeartbeatRun(RunSignal.Exited, 0)), Threshold, Guid.NewGuid()));
        Assert.Null(TransitionDecisions.FailedRun(machine, Ping(machine.Id, T0, new HeartbeatRun(RunSignal.Started)), Threshold, Guid.NewGuid()));
    }

    [Fact]
    public void A_failure_while_offline_or_paused_opens_no_second_episode()
    {
        var failed = new HeartbeatRun(RunSignal.Failed);
        var offline = Machine() with { OpenEpisodeId = Guid.NewGuid(), OfflineSince = T0 };
        Assert.Null(TransitionDecisions.FailedRun(offline, Ping(offline.Id, T0.AddMinutes(1), failed), Threshold, Guid.NewGuid()));
        var paused = Machine() with { Paused = true };
        Assert.Null(TransitionDecisions.FailedRun(paused, Ping(paused.Id, T0.AddMinutes(1), failed), Threshold, Guid.NewGuid()));
    }

    [Fact]
    public void Log_lines_and_failures_do_not_prove_a_machine_alive()
    {
        var id = Guid.NewGuid();
        Assert.False(TransitionDecisions.ProvesAlive(Ping(id, T0, new HeartbeatRun(RunSignal.Logged))));
        Assert.False(TransitionDecisions.ProvesAlive(Ping(id, T0, new HeartbeatRun(RunSignal.Failed))));
        Assert.True(TransitionDecisions.ProvesAlive(Ping(id, T0, new HeartbeatRun(RunSignal.Started))));
        Assert.True(TransitionDecisions.ProvesAlive(Ping(id, T0, null)));
    }
}
