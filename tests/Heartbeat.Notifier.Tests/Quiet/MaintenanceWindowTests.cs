using Heartbeat.Notifier.Quiet;

namespace Heartbeat.Notifier.Tests.Quiet;

public class MaintenanceWindowTests
{
    private static readonly MachineFacts Web = new(Guid.NewGuid(), "web-1", ["web"]);
    private static readonly MachineFacts Db = new(Guid.NewGuid(), "db-1", ["db"]);
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void A_one_off_window_covers_from_its_start_up_to_but_not_including_its_end()
    {
        var window = new MaintenanceWindow(Guid.NewGuid(), new MachineSelector(Tags: ["web"]), Utc(11, 27, 2), Utc(11, 27, 4));
        Assert.False(window.Covers(Web, Utc(11, 27, 1, 59)));
        Assert.True(window.Covers(Web, Utc(11, 27, 2)));
        Assert.True(window.Covers(Web, Utc(11, 27, 3, 59)));
        Assert.False(window.Covers(Web, Utc(11, 27, 4)));
        Assert.False(window.Covers(Db, Utc(11, 27, 3)));
    }

    [Fact]
    public void A_machine_is_in_maintenance_until_the_latest_end_of_the_windows_covering_it_now()
    {
        var now = Utc(11, 27, 3);
        var byTag = new MaintenanceWindow(Guid.NewGuid(), new MachineSelector(Tags: ["WEB"]), Utc(11, 27, 2), Utc(11, 27, 4));
        var byId = new MaintenanceWindow(Guid.NewGuid(), new MachineSelector(Ids: [Web.Id]), Utc(11, 27, 1), Utc(11, 27, 5));
        var later = new MaintenanceWindow(Guid.NewGuid(), MachineSelector.All, Utc(11, 27, 6), Utc(11, 27, 7));
        Assert.Equal(Utc(11, 27, 5), MaintenanceWindow.MaintenanceUntil([byTag, byId, later], Web.Id, Web.Tags, now));
        Assert.Equal(Utc(11, 27, 4), MaintenanceWindow.MaintenanceUntil([byTag, later], Web.Id, Web.Tags, now));
        Assert.Null(MaintenanceWindow.MaintenanceUntil([byTag, byId, later], Db.Id, Db.Tags, now));
        Assert.Null(MaintenanceWindow.MaintenanceUntil([byTag, byId], Web.Id, Web.Tags, Utc(11, 27, 5)));
    }

    [Fact]
    public void A_recurring_window_covers_each_occurrence_for_its_duration()
    {
        // Sundays 02:00 UTC for two hours; 2026-11-29 is a Sunday.
        var window = new MaintenanceWindow(Guid.NewGuid(), MachineSelector.All, Schedule: "0 2 * * 0", TimeZone: "UTC", Duration: TimeSpan.FromHours(2));
        Assert.Equal((Utc(11, 29, 2), Utc(11, 29, 4)), window.ActiveAt(Utc(11, 29, 3)));
        Assert.Null(window.ActiveAt(Utc(11, 29, 4)));
        Assert.Null(window.ActiveAt(Utc(11, 28, 3)));
    }

    [Fact]
    public void A_recurring_window_keeps_local_time_across_a_daylight_saving_change()
    {
        // 02:30 Berlin local time daily for 30 minutes. On 2026-03-29 the clock jumps from 02:00 to 03:00,
        // so (as Cronos documents for skipped hours) that day's occurrence starts at the jump, 01:00 UTC.
        var window = new MaintenanceWindow(Guid.NewGuid(), MachineSelector.All, Schedule: "30 2 * * *", TimeZone: "Europe/Berlin", Duration: TimeSpan.FromMinutes(30));
        Assert.NotNull(window.ActiveAt(Utc(3, 28, 1, 45)));  // 02:45 CET = 01:45 UTC, the day before
        Assert.Equal(Utc(3, 29, 1), window.ActiveAt(Utc(3, 29, 1, 10))!.Value.Start);
        Assert.NotNull(window.ActiveAt(Utc(3, 30, 0, 45)));  // 02:45 CEST = 00:45 UTC, the day after
        Assert.Null(window.ActiveAt(Utc(3, 30, 1, 45)));
    }

    [Fact]
    public void At_its_end_a_window_tells_outages_that_began_within_it_and_still_last_once()
    {
        var start = Utc(11, 27, 2);
        Assert.True(QuietRules.TellAtWindowEnd(stillOffline: true, offlineSince: Utc(11, 27, 2, 30), windowStart: start));
        Assert.False(QuietRules.TellAtWindowEnd(stillOffline: false, offlineSince: Utc(11, 27, 2, 30), windowStart: start));
        // Already told before the window began: nothing new for the people who were told.
        Assert.False(QuietRules.TellAtWindowEnd(stillOffline: true, offlineSince: Utc(11, 27, 1), windowStart: start));
    }
}
