using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;

namespace Heartbeat.Detector.Tests.Detection;

public class LateEpisodeTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);

    private static (MachineWentOffline Offline, MachineWentOnline Online)? Decide(Given given, HeartbeatEntry heartbeat, DateTimeOffset knownUntil, params IntakeInterruption[] interruptions) =>
        LateEpisodes.Decide(given.Machine, heartbeat, knownUntil, Given.DefaultThreshold, Interval, Grace, interruptions, Guid.CreateVersion7());

    [Fact]
    public void A_silence_nobody_judged_is_recorded_from_the_deadline_to_the_return()
    {
        var given = new Given(Threshold);
        given.Heartbeat();
        var deadline = given.Now + Threshold;
        given.Wait(TimeSpan.FromSeconds(25));
        var back = new HeartbeatEntry(given.Machine.Id, given.Now);

        var late = Decide(given, back, knownUntil: DateTimeOffset.MinValue);

        Assert.NotNull(late);
        var (offline, online) = late.Value;
        Assert.True(offline.DetectedLate && online.DetectedLate);
        Assert.Equal(offline.EpisodeId, online.EpisodeId);
        Assert.Equal(deadline, offline.DetectedAt);
        Assert.Equal((deadline, back.ReceivedAt, TimeSpan.FromSeconds(15)), (online.OfflineSince, online.CameBackAt, online.Downtime));
    }

    [Fact]
    public void A_deadline_the_watcher_could_judge_is_left_to_the_watcher()
    {
        var given = new Given(Threshold);
        given.Heartbeat();
        given.Wait(TimeSpan.FromSeconds(25));
        var back = new HeartbeatEntry(given.Machine.Id, given.Now);

        Assert.Null(Decide(given, back, knownUntil: given.Now.AddSeconds(-1)));
    }

    [Fact]
    public void A_return_within_grace_of_the_deadline_or_during_an_intake_interruption_is_no_outage()
    {
        var given = new Given(Threshold);
        given.Heartbeat();
        var lastSeen = given.Now;
        given.Wait(Threshold + TimeSpan.FromMilliseconds(200));
        var justLate = new HeartbeatEntry(given.Machine.Id, given.Now);
        Assert.Null(Decide(given, justLate, DateTimeOffset.MinValue));

        given.Wait(TimeSpan.FromSeconds(20));
        var afterInterruption = new HeartbeatEntry(given.Machine.Id, given.Now);
        var interruption = new IntakeInterruption(Guid.CreateVersion7(), lastSeen.AddSeconds(5), lastSeen.AddSeconds(29), "ingest down");
        Assert.Null(Decide(given, afterInterruption, DateTimeOffset.MinValue, interruption));
    }

    [Fact]
    public void A_machine_already_offline_gets_no_second_episode()
    {
        var given = new Given(Threshold);
        given.Heartbeat();
        given.Wait(TimeSpan.FromSeconds(11));
        given.Stored(new MachineWentOffline(given.Machine.Id, given.Machine.LastSeenAt, given.Now, Threshold, Guid.CreateVersion7()));
        given.Wait(TimeSpan.FromSeconds(20));
        var back = new HeartbeatEntry(given.Machine.Id, given.Now);

        Assert.Null(Decide(given, back, DateTimeOffset.MinValue));
    }
}
