using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;

namespace Heartbeat.Detector.Tests.Detection;

/// <summary>A warning spell begins with the first heartbeat reporting warning and ends with the first reporting ok.</summary>
public class WarningDecisionTests
{
    private static HeartbeatEntry Reports(Given given, ReportedStatus status, string? message = null, HeartbeatRun? run = null) =>
        new(given.Machine.Id, given.Now, HeartbeatSource.Agent, status, "1.0.0", message, Run: run);

    /// <summary>As the tracker does: judge, fold the fact into memory ahead of the store, then note the heartbeat.</summary>
    private static object? Track(Given given, HeartbeatEntry heartbeat)
    {
        var fact = Warnings.Decide(given.Machine, heartbeat, Guid.CreateVersion7());
        if (fact is not null) given.Stored(fact);
        given.Machine = given.Machine.Seen(heartbeat);
        return fact;
    }

    [Fact]
    public void The_first_warning_after_ok_begins_a_spell_with_its_message_and_the_next_warnings_change_nothing()
    {
        var given = new Given();
        Assert.Null(Track(given, Reports(given, ReportedStatus.Ok)));
        given.Wait(TimeSpan.FromSeconds(30));

        var warning = Assert.IsType<MachineReportedWarning>(Track(given, Reports(given, ReportedStatus.Warning, "disk 91 %")));
        Assert.Equal(("disk 91 %", given.Now), (warning.Message, warning.ReportedAt));
        Assert.Equal(warning.WarningId, given.Machine.WarningId);

        given.Wait(TimeSpan.FromSeconds(30));
        Assert.Null(Track(given, Reports(given, ReportedStatus.Warning, "disk 93 %")));
    }

    [Fact]
    public void Ok_ends_the_spell_it_names_once_and_a_later_warning_begins_a_new_one()
    {
        var given = new Given();
        var first = (MachineReportedWarning)Track(given, Reports(given, ReportedStatus.Warning, "disk 91 %"))!;
        given.Wait(TimeSpan.FromSeconds(30));

        var cleared = Assert.IsType<MachineWarningCleared>(Track(given, Reports(given, ReportedStatus.Ok, "disk 40 %")));
        Assert.Equal(first.WarningId, cleared.WarningId);
        Assert.Null(given.Machine.WarningId);
        given.Wait(TimeSpan.FromSeconds(30));
        Assert.Null(Track(given, Reports(given, ReportedStatus.Ok)));

        given.Wait(TimeSpan.FromSeconds(30));
        var second = Assert.IsType<MachineReportedWarning>(Track(given, Reports(given, ReportedStatus.Warning)));
        Assert.NotEqual(first.WarningId, second.WarningId);
    }

    [Fact]
    public void A_heartbeat_older_than_the_last_one_seen_or_carrying_a_run_signal_says_nothing_about_the_spell()
    {
        var given = new Given();
        Track(given, Reports(given, ReportedStatus.Ok));
        var stale = new HeartbeatEntry(given.Machine.Id, given.Now.AddSeconds(-1), HeartbeatSource.Agent, ReportedStatus.Warning);
        Assert.Null(Warnings.Decide(given.Machine, stale, Guid.CreateVersion7()));

        Track(given, Reports(given, ReportedStatus.Warning));
        given.Wait(TimeSpan.FromSeconds(1));
        Assert.Null(Warnings.Decide(given.Machine, Reports(given, ReportedStatus.Ok, run: new HeartbeatRun(RunSignal.Started)), Guid.CreateVersion7()));
        Assert.Null(Warnings.Decide(given.Machine, Reports(given, ReportedStatus.Ok, run: new HeartbeatRun(RunSignal.Failed)), Guid.CreateVersion7()));
    }

    [Fact]
    public void An_outage_neither_ends_nor_repeats_a_spell()
    {
        var given = new Given();
        var warning = (MachineReportedWarning)Track(given, Reports(given, ReportedStatus.Warning))!;
        var episode = Guid.CreateVersion7();
        given.Wait(TimeSpan.FromMinutes(3));
        given.Stored(new MachineWentOffline(given.Machine.Id, given.Now.AddMinutes(-3), given.Now, Given.DefaultThreshold, episode));
        given.Wait(TimeSpan.FromMinutes(1));
        given.Stored(new MachineWentOnline(given.Machine.Id, given.Now.AddMinutes(-1), given.Now, TimeSpan.FromMinutes(1), episode));

        Assert.Null(Track(given, Reports(given, ReportedStatus.Warning)));
        Assert.Equal(warning.WarningId, Assert.IsType<MachineWarningCleared>(Track(given, Reports(given, ReportedStatus.Ok))).WarningId);
    }
}
