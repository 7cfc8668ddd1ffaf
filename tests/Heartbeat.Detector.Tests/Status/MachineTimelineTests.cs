using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Status;

namespace Heartbeat.Detector.Tests.Status;

/// <summary>Uptime, spans and state-at from known histories, with explicit times.</summary>
public class MachineTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid Machine = Guid.CreateVersion7();

    private static MachineRegistered Registered(DateTimeOffset at) => new(Machine, "web-1", null, null, [], null, null, "hash", at);
    private static MachineWentOffline Offline(DateTimeOffset at, Guid episode) => new(Machine, at.AddMinutes(-2), at, TimeSpan.FromMinutes(2), episode);
    private static MachineWentOnline Online(DateTimeOffset offlineSince, DateTimeOffset at, Guid episode) => new(Machine, offlineSince, at, at - offlineSince, episode);
    private static MonitoringPaused Paused(DateTimeOffset at) => new(Machine, at);
    private static MonitoringResumed Resumed(DateTimeOffset at) => new(Machine, at);

    [Fact]
    public void A_machine_never_offline_has_full_uptime()
    {
        var report = MachineTimeline.Uptime([Registered(T0)], T0, T0.AddDays(1));
        Assert.Equal(1, report.UptimeRatio);
        Assert.Equal(0, report.Episodes);
        Assert.Equal(TimeSpan.FromDays(1), report.Monitored);
    }

    [Fact]
    public void One_hour_offline_in_a_day()
    {
        var episode = Guid.CreateVersion7();
        var down = T0.AddHours(5);
        var report = MachineTimeline.Uptime([Registered(T0), Offline(down, episode), Online(down, down.AddHours(1), episode)], T0, T0.AddDays(1));

        Assert.Equal(TimeSpan.FromHours(1), report.Offline);
        Assert.Equal(23.0 / 24, report.UptimeRatio, 9);
        Assert.Equal(1, report.Episodes);
        Assert.Equal(TimeSpan.FromHours(1), report.LongestOutage);
        Assert.Equal(["up", "offline", "up"], report.Spans.Select(s => s.State));
    }

    [Fact]
    public void Paused_time_is_left_out_of_the_ratio()
    {
        // Day: 2 h offline, then 12 h paused, the rest up: 2 h down out of 12 h monitored.
        var episode = Guid.CreateVersion7();
        var events = new object[]
        {
            Registered(T0), Offline(T0.AddHours(1), episode), Online(T0.AddHours(1), T0.AddHours(3), episode),
            Paused(T0.AddHours(6)), Resumed(T0.AddHours(18)),
        };
        var report = MachineTimeline.Uptime(events, T0, T0.AddDays(1));

        Assert.Equal(TimeSpan.FromHours(12), report.Paused);
        Assert.Equal(TimeSpan.FromHours(12), report.Monitored);
        Assert.Equal(TimeSpan.FromHours(2), report.Offline);
        Assert.Equal(1 - 2.0 / 12, report.UptimeRatio, 9);
    }

    [Fact]
    public void An_outage_stops_counting_while_paused_and_counts_again_after_resume()
    {
        var episode = Guid.CreateVersion7();
        var events = new object[]
        {
            Registered(T0), Offline(T0.AddHours(1), episode), Paused(T0.AddHours(2)), Resumed(T0.AddHours(10)),
            Online(T0.AddHours(1), T0.AddHours(11), episode),
        };
        var report = MachineTimeline.Uptime(events, T0, T0.AddDays(1));

        Assert.Equal(TimeSpan.FromHours(2), report.Offline);      // 1–2 h and 10–11 h
        Assert.Equal(TimeSpan.FromHours(8), report.Paused);
        Assert.Equal(1, report.Episodes);                          // one outage, split by the pause
        Assert.Equal(TimeSpan.FromHours(2), report.LongestOutage);
        Assert.Equal(["up", "offline", "paused", "offline", "up"], report.Spans.Select(s => s.State));
    }

    [Fact]
    public void Time_before_registration_is_not_counted()
    {
        var report = MachineTimeline.Uptime([Registered(T0.AddHours(12))], T0, T0.AddDays(1));
        Assert.Equal(TimeSpan.FromHours(12), report.Monitored);
        Assert.Equal(1, report.UptimeRatio);
        Assert.Equal(T0.AddHours(12), report.Spans.Single().From);
    }

    [Fact]
    public void An_open_outage_counts_until_the_end_of_the_window()
    {
        var report = MachineTimeline.Uptime([Registered(T0), Offline(T0.AddHours(23), Guid.CreateVersion7())], T0, T0.AddDays(1));
        Assert.Equal(TimeSpan.FromHours(1), report.Offline);
        Assert.Equal(1, report.Episodes);
    }

    [Fact]
    public void Only_the_part_of_an_outage_inside_the_window_counts()
    {
        var episode = Guid.CreateVersion7();
        var down = T0.AddHours(10);
        var report = MachineTimeline.Uptime([Registered(T0), Offline(down, episode), Online(down, down.AddHours(4), episode)], down.AddHours(2), down.AddHours(12));

        Assert.Equal(TimeSpan.FromHours(2), report.Offline);
        Assert.Equal(0.8, report.UptimeRatio, 9);
        Assert.Equal(1, report.Episodes);
    }

    [Fact]
    public void A_machine_paused_for_the_whole_window_has_nothing_monitored()
    {
        var report = MachineTimeline.Uptime([Registered(T0), Paused(T0)], T0.AddHours(1), T0.AddHours(2));
        Assert.Equal(TimeSpan.Zero, report.Monitored);
        Assert.Equal(1, report.UptimeRatio);
    }

    [Fact]
    public void Nothing_is_counted_after_retirement()
    {
        var report = MachineTimeline.Uptime([Registered(T0), new MachineRetired(Machine, T0.AddHours(6))], T0, T0.AddDays(1));
        Assert.Equal(TimeSpan.FromHours(6), report.Monitored);
    }

    [Fact]
    public void State_at_follows_the_history()
    {
        var episode = Guid.CreateVersion7();
        var events = new object[]
        {
            Registered(T0), Offline(T0.AddHours(1), episode), Online(T0.AddHours(1), T0.AddHours(2), episode),
            Paused(T0.AddHours(5)), Resumed(T0.AddHours(6)), new MachineRetired(Machine, T0.AddHours(9)),
        };

        Assert.Null(MachineTimeline.At(events, T0.AddMinutes(-1)));
        Assert.Equal(new MachineTimeline.StateAt("online", T0, null), MachineTimeline.At(events, T0.AddMinutes(30)));
        Assert.Equal(new MachineTimeline.StateAt("offline", T0.AddHours(1), episode), MachineTimeline.At(events, T0.AddHours(1.5)));
        Assert.Equal(new MachineTimeline.StateAt("online", T0.AddHours(2), null), MachineTimeline.At(events, T0.AddHours(3)));
        Assert.Equal(new MachineTimeline.StateAt("paused", T0.AddHours(5), null), MachineTimeline.At(events, T0.AddHours(5)));
        Assert.Equal(new MachineTimeline.StateAt("online", T0.AddHours(6), null), MachineTimeline.At(events, T0.AddHours(7)));
        Assert.Equal("retired", MachineTimeline.At(events, T0.AddDays(2))!.Status);
    }

    [Fact]
    public void A_paused_outage_reads_as_paused_at_that_time()
    {
        var episode = Guid.CreateVersion7();
        var events = new object[] { Registered(T0), Offline(T0.AddHours(1), episode), Paused(T0.AddHours(2)) };
        Assert.Equal(new MachineTimeline.StateAt("paused", T0.AddHours(2), null), MachineTimeline.At(events, T0.AddHours(3)));
    }
}
