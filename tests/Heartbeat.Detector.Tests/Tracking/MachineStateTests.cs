using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;
using Heartbeat.ServiceDefaults;
using Heartbeat.ServiceDefaults.Machines;

namespace Heartbeat.Detector.Tests.Tracking;

/// <summary>The one fold of a machine's stream, shared by ingest, detector and prober.</summary>
public class MachineStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.CreateVersion7();
    private static readonly MachineRegistered Registered = new(Id, "db-1", "db-1.internal", null, ["db"], null, null, "digest", T0);

    /// <summary>One of every event that lives on a machine's stream.</summary>
    public static TheoryData<object> MachineStreamEvents() =>
    [
        new MachineSettingsChanged(Id, "db-2", null, null, null, null, null, T0),
        new MachineTokenRotated(Id, "new-digest", T0),
        new PingKeyIssued(Id, "key-digest", T0),
        new PingKeyRevoked(Id, T0),
        new MonitoringPaused(Id, T0),
        new MonitoringResumed(Id, T0),
        new MachineRetired(Id, T0),
        new MachineWentOffline(Id, T0, T0, TimeSpan.FromMinutes(2), Guid.CreateVersion7()),
        new MachineWentOnline(Id, T0, T0, TimeSpan.Zero, Guid.CreateVersion7()),
        new ProbeHostKeyPinned(Id, "ssh-ed25519", "SHA256:abc", T0),
        new ProbeFailed(Id, "refused", T0),
        new ProbeRecovered(Id, T0),
        new RunFinished(Id, T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), Failed: false),
        new MachineReportedWarning(Id, T0, Guid.CreateVersion7(), "disk 91 %"),
        new MachineWarningCleared(Id, T0, Guid.CreateVersion7()),
    ];

    [Theory]
    [MemberData(nameof(MachineStreamEvents))]
    public void Every_machine_stream_event_advances_the_tracked_version(object e)
    {
        var tracked = TrackedMachine.Create(Registered, 1);

        var after = tracked.Apply(e, 7);

        Assert.Equal(7, after.Version);
        Assert.IsType<TrackedMachine>(after);
    }

    [Fact]
    public void An_event_the_state_has_no_member_for_still_advances_the_version() =>
        Assert.Equal(5, MachineState.Create(Registered).Apply(new IntakeRestored(Guid.Empty, T0, T0, TimeSpan.Zero, "canary"), 5).Version);

    [Fact]
    public void Every_registered_event_type_but_the_heartbeats_is_known_to_the_machine_fold()
    {
        var notOnMachineStreams = new[] { typeof(HeartbeatReceived), typeof(HeartbeatsReceived) };
        Assert.Empty(HeartbeatEventTypes.All.Except(notOnMachineStreams).Except(MachineState.StreamEvents));
    }

    [Fact]
    public void A_derived_read_model_keeps_what_only_it_knows_through_the_shared_fold()
    {
        var tracked = TrackedMachine.Create(Registered, 1) with { LastSeenAt = T0, HeartbeatCount = 3 };

        var paused = tracked.Apply(new MonitoringPaused(Id, T0.AddMinutes(1)), 2);

        Assert.True(paused.Paused);
        Assert.Equal(T0, paused.LastSeenAt);
        Assert.Equal(3, paused.HeartbeatCount);
    }

    [Fact]
    public void Resuming_restarts_monitoring_and_a_new_probe_forgets_the_pinned_key_and_error()
    {
        var probe = new ProbeSettings(ProbeType.Tcp, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), "db", 5432);
        var state = MachineState.Create(Registered)
            .Apply(new ProbeHostKeyPinned(Id, "ssh-ed25519", "SHA256:abc", T0), 2)
            .Apply(new ProbeFailed(Id, "refused", T0), 3)
            .Apply(new MonitoringResumed(Id, T0.AddHours(1)), 4);
        Assert.Equal(T0.AddHours(1), state.MonitoredSince);

        var reprobed = state.Apply(new MachineSettingsChanged(Id, null, null, null, null, null, null, T0, probe), 5);

        Assert.Null(reprobed.PinnedHostKey);
        Assert.Null(reprobed.LastProbeError);
        Assert.Equal(probe, reprobed.Probe);
    }

    [Fact]
    public void A_schedule_is_set_by_settings_and_removed_when_an_interval_replaces_it()
    {
        var schedule = new CronSchedule("0 3 * * *", "Europe/Berlin", TimeSpan.FromMinutes(10));
        var state = MachineState.Create(Registered).Apply(new MachineSettingsChanged(Id, null, null, null, null, null, null, T0, Schedule: schedule), 2);
        Assert.Equal(schedule, state.Schedule);

        var renamed = state.Apply(new MachineSettingsChanged(Id, "db-2", null, null, null, null, null, T0), 3);
        Assert.Equal(schedule, renamed.Schedule);

        var onInterval = renamed.Apply(new MachineSettingsChanged(Id, null, null, null, null, null, TimeSpan.FromMinutes(1), T0, ScheduleRemoved: true), 4);
        Assert.Null(onInterval.Schedule);
    }

    [Fact]
    public void An_online_for_another_episode_leaves_the_open_one()
    {
        var episode = Guid.CreateVersion7();
        var offline = MachineState.Create(Registered).Apply(new MachineWentOffline(Id, T0, T0, TimeSpan.FromMinutes(2), episode), 2);

        Assert.Equal(episode, offline.Apply(new MachineWentOnline(Id, T0, T0, TimeSpan.Zero, Guid.CreateVersion7()), 3).OpenEpisodeId);
        Assert.Null(offline.Apply(new MachineWentOnline(Id, T0, T0, TimeSpan.Zero, episode), 3).OpenEpisodeId);
    }
}
