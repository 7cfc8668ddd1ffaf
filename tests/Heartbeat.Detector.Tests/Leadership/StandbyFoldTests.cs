using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Leadership;
using Heartbeat.Detector.Tests.Detection;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Tests.Leadership;

/// <summary>A standby's memory must be what the tracker's own memory was after the same committed events.</summary>
public class StandbyFoldTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.CreateVersion7();
    private static readonly MachineRegistered Registered = new(Id, "db-1", "db-1.internal", null, [], TimeSpan.FromSeconds(30), null, "hash", T0);

    private static IReadOnlyCollection<TrackedMachine> Fold(Dictionary<Guid, TrackedMachine> memory, params StandbyFold.Stored[] events) =>
        Fold(memory, out _, out _, events);

    private static IReadOnlyCollection<TrackedMachine> Fold(Dictionary<Guid, TrackedMachine> memory, out HashSet<Guid> unconfirmed, out HashSet<Guid> confirmed, params StandbyFold.Stored[] events)
    {
        var changed = StandbyFold.Fold(events, id => memory.GetValueOrDefault(id), Given.DefaultThreshold, out unconfirmed, out confirmed);
        foreach (var m in changed) memory[m.Id] = m;
        return changed;
    }

    private static StandbyFold.Stored Heartbeats(params HeartbeatEntry[] entries) => new(new HeartbeatsReceived(entries), Guid.CreateVersion7(), 1);

    [Fact]
    public void Registration_and_heartbeats_give_the_trackers_state()
    {
        var memory = new Dictionary<Guid, TrackedMachine>();
        Fold(memory, new StandbyFold.Stored(Registered, Id, 1), Heartbeats(new HeartbeatEntry(Id, T0.AddSeconds(5)), new HeartbeatEntry(Id, T0.AddSeconds(6))));

        var m = memory[Id];
        Assert.Equal(T0.AddSeconds(6), m.LastSeenAt);
        Assert.Equal(2, m.HeartbeatCount);
        Assert.Equal(T0.AddSeconds(36), m.Deadline(Given.DefaultThreshold));
    }

    [Fact]
    public void A_heartbeat_that_ends_an_episode_closes_it_as_the_tracker_did_before_its_online_event_is_read()
    {
        var memory = new Dictionary<Guid, TrackedMachine>();
        var episode = Guid.CreateVersion7();
        Fold(memory, new StandbyFold.Stored(Registered, Id, 1), Heartbeats(new HeartbeatEntry(Id, T0)),
            new StandbyFold.Stored(new MachineWentOffline(Id, T0, T0.AddSeconds(31), TimeSpan.FromSeconds(30), episode), Id, 2));
        Assert.True(memory[Id].IsOffline);

        Fold(memory, Heartbeats(new HeartbeatEntry(Id, T0.AddSeconds(40))));

        // The tracker appended MachineWentOnline in that page's transaction and its memory shows it online: so does this,
        // or a takeover at this progress would append a second online for the same episode.
        Assert.False(memory[Id].IsOffline);
        Fold(memory, new StandbyFold.Stored(new MachineWentOnline(Id, T0.AddSeconds(31), T0.AddSeconds(40), TimeSpan.FromSeconds(9), episode), Id, 3));
        Assert.False(memory[Id].IsOffline);
        Assert.Equal(3, memory[Id].Version);
    }

    [Fact]
    public void A_failed_run_is_offline_with_an_unconfirmed_episode_until_its_stored_transition_is_read()
    {
        var memory = new Dictionary<Guid, TrackedMachine>();
        Fold(memory, new StandbyFold.Stored(Registered, Id, 1));

        Fold(memory, out var unconfirmed, out _, Heartbeats(new HeartbeatEntry(Id, T0.AddSeconds(5), Run: new HeartbeatRun(RunSignal.Failed))));
        Assert.True(memory[Id].IsOffline);
        Assert.Equal([Id], unconfirmed);

        var episode = Guid.CreateVersion7();
        Fold(memory, out unconfirmed, out var confirmed,
            new StandbyFold.Stored(new MachineWentOffline(Id, null, T0.AddSeconds(5), TimeSpan.FromSeconds(30), episode), Id, 2));
        Assert.Equal(episode, memory[Id].OpenEpisodeId);
        Assert.Empty(unconfirmed);
        Assert.Equal([Id], confirmed);
    }

    [Fact]
    public void Heartbeats_of_unknown_machines_and_platform_events_change_nothing()
    {
        var memory = new Dictionary<Guid, TrackedMachine>();
        var changed = Fold(memory, Heartbeats(new HeartbeatEntry(Guid.CreateVersion7(), T0)),
            new StandbyFold.Stored(new IntakeInterrupted(Guid.CreateVersion7(), T0, "test", T0), Guid.Empty, 1));
        Assert.Empty(changed);
    }
}
