using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;

namespace Heartbeat.Detector.Tests.Detection;

public class OnlineDecisionTests
{
    private static MachineWentOffline GoOffline(Given given)
    {
        given.Heartbeat();
        given.Wait(TimeSpan.FromSeconds(4));
        var offline = TransitionDecisions.Offline(given.Machine, given.Now, given.Now, Given.DefaultThreshold, Guid.CreateVersion7())!;
        given.Stored(offline);
        return offline;
    }

    [Fact]
    public void The_first_heartbeat_after_an_outage_brings_it_online_with_its_downtime()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        var offline = GoOffline(given);
        given.Wait(TimeSpan.FromSeconds(90));

        var heartbeat = new HeartbeatEntry(given.Machine.Id, given.Now);
        var online = TransitionDecisions.Online(given.Machine, heartbeat);

        Assert.NotNull(online);
        Assert.Equal(offline.EpisodeId, online.EpisodeId);
        Assert.Equal(offline.DetectedAt, online.OfflineSince);
        Assert.Equal(given.Now, online.CameBackAt);
        Assert.Equal(TimeSpan.FromSeconds(90), online.Downtime);
    }

    [Fact]
    public void Heartbeats_of_an_online_machine_make_no_transition()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        given.Heartbeat();
        given.Wait(TimeSpan.FromSeconds(1));

        var heartbeat = new HeartbeatEntry(given.Machine.Id, given.Now);
        Assert.Null(TransitionDecisions.Online(given.Machine, heartbeat));
    }

    [Fact]
    public void Only_the_first_heartbeat_ends_the_episode()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        GoOffline(given);
        var first = new HeartbeatEntry(given.Machine.Id, given.Now);
        given.Stored(TransitionDecisions.Online(given.Machine, first)!);

        var second = first with { ReceivedAt = given.Now.AddSeconds(1) };
        Assert.Null(TransitionDecisions.Online(given.Machine, second));
        Assert.False(given.Machine.IsOffline);
    }

    [Fact]
    public void A_paused_machine_makes_no_transition_when_it_comes_back()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        GoOffline(given);
        given.Stored(new MonitoringPaused(given.Machine.Id, given.Now));

        var heartbeat = new HeartbeatEntry(given.Machine.Id, given.Now);
        Assert.Null(TransitionDecisions.Online(given.Machine, heartbeat));
    }

    [Fact]
    public void The_next_outage_is_a_new_episode()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        var first = GoOffline(given);
        var heartbeat = new HeartbeatEntry(given.Machine.Id, given.Now);
        given.Stored(TransitionDecisions.Online(given.Machine, heartbeat)!);

        var second = GoOffline(given);

        Assert.NotEqual(first.EpisodeId, second.EpisodeId);
    }
}
