using Heartbeat.Contracts.Http;
using Heartbeat.Notifier.Maintenance;

namespace Heartbeat.Notifier.Tests.Maintenance;

public class CreateMaintenanceWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly ChannelMachines Db = new(Tags: ["db"]);

    private static Dictionary<string, string[]> Errors(CreateMaintenanceWindowRequest r) => CreateMaintenanceWindow.Validate(r, Guid.NewGuid(), Now).Errors;

    [Fact]
    public void A_one_off_window_is_stored_in_utc()
    {
        var (window, errors) = CreateMaintenanceWindow.Validate(
            new CreateMaintenanceWindowRequest(Db, new DateTimeOffset(2026, 11, 27, 14, 0, 0, TimeSpan.FromHours(2)), Now.AddHours(3)), Guid.NewGuid(), Now);
        Assert.Empty(errors);
        Assert.Equal((TimeSpan.Zero, Now), (window!.StartsAt!.Value.Offset, window.StartsAt.Value));
    }

    [Fact]
    public void A_recurring_window_defaults_to_utc()
    {
        var (window, errors) = CreateMaintenanceWindow.Validate(new CreateMaintenanceWindowRequest(Db, Schedule: "0 2 * * 0", Duration: "2h"), Guid.NewGuid(), Now);
        Assert.Empty(errors);
        Assert.Equal(("UTC", TimeSpan.FromHours(2)), (window!.TimeZone, window.Duration));
    }

    [Fact]
    public void Machines_are_required()
    {
        Assert.Contains("machines", Errors(new(null, Now, Now.AddHours(1))).Keys);
        Assert.Contains("machines", Errors(new(new ChannelMachines(), Now, Now.AddHours(1))).Keys);
    }

    [Fact]
    public void A_one_off_window_ends_after_it_starts_and_not_in_the_past()
    {
        Assert.Contains("ends_at", Errors(new(Db, Now, Now)).Keys);
        Assert.Contains("ends_at", Errors(new(Db, Now.AddHours(-2), Now.AddHours(-1))).Keys);
        Assert.Contains("starts_at", Errors(new(Db, null, Now.AddHours(1))).Keys);
    }

    [Fact]
    public void A_recurring_window_needs_a_cron_schedule_a_known_zone_and_a_duration()
    {
        var errors = Errors(new(Db, Schedule: "at two on sundays", Timezone: "Mars/Olympus"));
        Assert.Equal(["duration", "schedule", "timezone"], errors.Keys.Order());
        Assert.Contains("duration", Errors(new(Db, Schedule: "0 2 * * 0", Duration: "8d")).Keys);
    }

    [Fact]
    public void A_window_is_once_or_recurring_not_both() =>
        Assert.Contains("schedule", Errors(new(Db, Now, Now.AddHours(1), Schedule: "0 2 * * 0", Duration: "2h")).Keys);
}
