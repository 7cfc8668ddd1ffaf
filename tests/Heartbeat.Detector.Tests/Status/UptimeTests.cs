using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Status;

namespace Heartbeat.Detector.Tests.Status;

public class UptimeTests
{
    private static readonly DateTimeOffset Registered = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid Machine = Guid.CreateVersion7();

    private static MachineWentOffline Offline(DateTimeOffset at, Guid episode) => new(Machine, at.AddMinutes(-2), at, TimeSpan.FromMinutes(2), episode);
    private static MachineWentOnline Online(DateTimeOffset offlineSince, DateTimeOffset at, Guid episode) => new(Machine, offlineSince, at, at - offlineSince, episode);

    [Fact]
    public void A_machine_never_offline_has_full_uptime()
    {
        var report = Uptime.Compute([], Registered, Registered, Registered.AddDays(1));
        Assert.Equal(1, report.UptimeRatio);
        Assert.Equal(0, report.Episodes);
    }

    [Fact]
    public void One_hour_offline_in_a_day()
    {
        var episode = Guid.CreateVersion7();
        var down = Registered.AddHours(5);
        var report = Uptime.Compute([Offline(down, episode), Online(down, down.AddHours(1), episode)], Registered, Registered, Registered.AddDays(1));

        Assert.Equal(3600, report.OfflineSeconds);
        Assert.Equal(23.0 / 24, report.UptimeRatio, 6);
        Assert.Equal(1, report.Episodes);
    }

    [Fact]
    public void An_open_episode_counts_until_the_end_of_the_window()
    {
        var down = Registered.AddHours(23);
        var report = Uptime.Compute([Offline(down, Guid.CreateVersion7())], Registered, Registered, Registered.AddDays(1));
        Assert.Equal(3600, report.OfflineSeconds);
    }

    [Fact]
    public void Only_the_part_of_an_episode_inside_the_window_counts()
    {
        var episode = Guid.CreateVersion7();
        var down = Registered.AddHours(10);
        var report = Uptime.Compute([Offline(down, episode), Online(down, down.AddHours(4), episode)], Registered, down.AddHours(2), down.AddHours(12));

        Assert.Equal(2 * 3600, report.OfflineSeconds);
        Assert.Equal(0.8, report.UptimeRatio, 6);
    }

    [Fact]
    public void The_window_starts_no_earlier_than_registration()
    {
        var report = Uptime.Compute([], Registered, Registered.AddDays(-30), Registered.AddDays(1));
        Assert.Equal(Registered, report.From);
    }
}
