using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;

namespace Heartbeat.Detector.Tests.Detection;

public class OfflineDecisionTests
{
    private static MachineWentOffline? Judge(Given given) =>
        TransitionDecisions.Offline(given.Machine, given.Now, knownUntil: given.Now, Given.DefaultThreshold, Guid.CreateVersion7());

    [Fact]
    public void Stays_online_until_the_default_threshold_has_passed()
    {
        var given = new Given();
        given.Heartbeat();

        given.Wait(TimeSpan.FromSeconds(119));
        Assert.Null(Judge(given));

        given.Wait(TimeSpan.FromSeconds(1));
        var offline = Judge(given);
        Assert.NotNull(offline);
        Assert.Equal(TimeSpan.FromMinutes(2), offline.Threshold);
    }

    [Fact]
    public void A_machine_threshold_overrides_the_default()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        var heartbeat = given.Heartbeat();

        given.Wait(TimeSpan.FromMilliseconds(2_999));
        Assert.Null(Judge(given));

        given.Wait(TimeSpan.FromMilliseconds(1));
        var offline = Judge(given);
        Assert.NotNull(offline);
        Assert.Equal(heartbeat.ReceivedAt, offline.LastSeenAt);
        Assert.Equal(given.Now, offline.DetectedAt);
        Assert.Equal(TimeSpan.FromSeconds(3), offline.Threshold);
    }

    [Fact]
    public void Each_heartbeat_moves_the_deadline()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(10));
        given.Heartbeat();
        given.Wait(TimeSpan.FromSeconds(8));
        given.Heartbeat();
        given.Wait(TimeSpan.FromSeconds(8));

        Assert.Null(Judge(given));
        Assert.Equal(given.Now + TimeSpan.FromSeconds(2), given.Machine.Deadline(Given.DefaultThreshold));
    }

    [Fact]
    public void A_machine_never_seen_is_new_and_never_goes_offline()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        given.Wait(TimeSpan.FromHours(1));

        Assert.Null(given.Machine.Deadline(Given.DefaultThreshold));
        Assert.Null(Judge(given));
    }

    [Fact]
    public void Goes_offline_once_per_episode()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        given.Heartbeat();
        given.Wait(TimeSpan.FromSeconds(4));
        var offline = Judge(given)!;
        given.Stored(offline);

        given.Wait(TimeSpan.FromMinutes(10));
        Assert.Null(Judge(given));
        Assert.True(given.Machine.IsOffline);
        Assert.Equal(offline.EpisodeId, given.Machine.OpenEpisodeId);
    }

    [Fact]
    public void Paused_machines_never_flip()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        given.Heartbeat();
        given.Stored(new MonitoringPaused(given.Machine.Id, given.Now));

        given.Wait(TimeSpan.FromHours(1));
        Assert.Null(Judge(given));
    }

    [Fact]
    public void A_resumed_machine_gets_a_full_threshold_before_it_is_judged()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        given.Heartbeat();
        given.Stored(new MonitoringPaused(given.Machine.Id, given.Now));
        given.Wait(TimeSpan.FromHours(1));
        given.Stored(new MonitoringResumed(given.Machine.Id, given.Now));

        given.Wait(TimeSpan.FromSeconds(2));
        Assert.Null(Judge(given));
        given.Wait(TimeSpan.FromSeconds(1));
        Assert.NotNull(Judge(given));
    }

    [Fact]
    public void Retired_machines_never_flip()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        given.Heartbeat();
        given.Stored(new MachineRetired(given.Machine.Id, given.Now));

        given.Wait(TimeSpan.FromHours(1));
        Assert.Null(Judge(given));
    }

    [Fact]
    public void Silence_the_detector_has_not_caught_up_with_is_not_an_outage()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(3));
        given.Heartbeat();
        var caughtUpUntil = given.Now + TimeSpan.FromSeconds(1);
        given.Wait(TimeSpan.FromMinutes(5));

        var offline = TransitionDecisions.Offline(given.Machine, given.Now, caughtUpUntil, Given.DefaultThreshold, Guid.CreateVersion7());

        Assert.Null(offline);
    }

    [Fact]
    public void A_lowered_threshold_takes_effect_from_the_last_heartbeat()
    {
        var given = new Given();
        given.Heartbeat();
        given.Wait(TimeSpan.FromSeconds(30));
        given.Stored(new MachineSettingsChanged(given.Machine.Id, null, null, null, null, TimeSpan.FromSeconds(10), null, given.Now));

        Assert.NotNull(Judge(given));
    }
}
