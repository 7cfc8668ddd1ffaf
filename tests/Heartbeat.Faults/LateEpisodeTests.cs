using Heartbeat.Faults.Harness;

namespace Heartbeat.Faults;

/// <summary>Outages the detector did not see are still recorded, after the fact.</summary>
[Collection(FaultCollection.Name)]
public class LateEpisodeTests(FaultFixture fixture)
{
    private FaultPlatform Platform => fixture.Platform;

    [Fact]
    public async Task A_machine_silent_across_a_detector_outage_and_back_before_it_restarts_has_one_detected_late_episode()
    {
        await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(30));
        var machine = await Platform.RegisterAsync("late episode");
        // Other machines keep sending throughout: the store itself shows intake worked while no detector watched.
        var witness = Platform.KeepSending(await Platform.RegisterAsync("late witness"));
        await Platform.SendAsync(machine);
        await Task.Delay(TimeSpan.FromSeconds(1)); // read by the leader before it dies: load, not synchronisation

        foreach (var detector in Platform.Detectors) await detector.KillAsync();
        await Task.Delay(FaultPlatform.Threshold + TimeSpan.FromSeconds(2)); // the silence: past its deadline
        await Platform.SendAsync(machine); // back before any detector restarts, and its agent keeps sending
        var agent = Platform.KeepSending(machine);
        foreach (var detector in Platform.Detectors) await Platform.StartLiveAsync(detector);
        await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(60));

        var transitions = await Eventually.Async(() => Platform.TransitionsAsync([machine.Id]), t => t.Online >= 1,
            "the unwatched outage recorded after the fact", TimeSpan.FromSeconds(30));
        await witness.CancelAsync();
        await agent.CancelAsync();
        await Platform.Machines.Pause(machine.Id);
        await Task.Delay(TimeSpan.FromSeconds(2)); // a window in which a second episode would show

        Assert.Equal((1L, 1L, 1L), transitions);
        Assert.Equal((1L, 1L, 1L), await Platform.TransitionsAsync([machine.Id]));
        var history = (await Platform.Machines.History(machine.Id)).Content!.Transitions.Where(t => t.Kind is "online" or "offline").ToList();
        Assert.Equal(["online", "offline"], history.Select(t => t.Kind));
        Assert.Equal(history[0].EpisodeId, history[1].EpisodeId);
        Assert.True(history[0].DowntimeSeconds > 0, "downtime of the late episode");
    }
}
