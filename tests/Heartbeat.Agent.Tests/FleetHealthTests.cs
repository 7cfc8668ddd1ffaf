using Heartbeat.Cli;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Agent.Tests;

public sealed class FleetHealthTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static MachineView Machine(string status, string name = "web-1") =>
        new(Guid.NewGuid(), name, null, null, [], status, Now, null, null, null, null, 120, 30, Now);

    [Theory]
    [InlineData(0, "online", "new", "paused")]
    [InlineData(1, "online", "late")]
    [InlineData(1, "warning", "online")]
    [InlineData(2, "late", "offline", "warning")]
    [InlineData(0)]
    public void The_exit_code_is_the_worst_status(int expected, params string[] statuses) =>
        Assert.Equal(expected, FleetHealth.ExitCode(statuses.Select(s => Machine(s))));

    [Fact]
    public void The_summary_counts_worst_first() =>
        Assert.Equal("4 machines: 1 offline, 1 late, 2 online",
            FleetHealth.Summary([Machine("online"), Machine("offline"), Machine("late"), Machine("online")]));

    [Theory]
    [InlineData(12, "12s")]
    [InlineData(240, "4m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 86400, "3d")]
    public void Ages_read_as_people_say_them(int seconds, string expected) =>
        Assert.Equal(expected, FleetHealth.Age(Now.AddSeconds(-seconds), Now));

    [Fact]
    public void A_machine_never_seen_has_no_age() => Assert.Equal("never", FleetHealth.Age(null, Now));

    [Fact]
    public void Watch_prints_new_machines_changes_and_removals_only()
    {
        var web = Machine("online", "web-1");
        var db = Machine("online", "db-1");
        var before = new Dictionary<Guid, MachineView> { [web.Id] = web, [db.Id] = db };
        var cache = Machine("new", "cache-1");

        var lines = FleetHealth.Changes(before, [web with { Status = "offline" }, cache]);

        Assert.Equal(["web-1: online -> offline", "cache-1: new", "db-1: removed"], lines);
    }
}
