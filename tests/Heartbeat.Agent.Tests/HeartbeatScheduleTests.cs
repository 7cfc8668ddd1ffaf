using Heartbeat.Agent;

namespace Heartbeat.Agent.Tests;

public sealed class HeartbeatScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxJitter = Interval * HeartbeatSchedule.JitterFraction;

    private static HeartbeatSchedule Schedule(int seed = 1) => new(Interval, Start, new Random(seed));

    [Fact]
    public void Due_times_stay_on_the_grid_however_long_each_send_takes()
    {
        var schedule = Schedule();
        var now = Start;
        for (var k = 1; k <= 1_000; k++)
        {
            var due = schedule.NextAttempt(now, failures: 0);
            Assert.True((due - (Start + Interval * k)).Duration() <= MaxJitter, $"heartbeat {k} due at {due:O}, off the grid");
            now = due + TimeSpan.FromSeconds(k % 7); // checks and the request take 0–6 s
        }
    }

    [Fact]
    public void Jitter_spreads_agents_started_together()
    {
        var dues = Enumerable.Range(0, 20).Select(seed => Schedule(seed).NextDue(Start + Interval)).Distinct().Count();
        Assert.True(dues > 15, $"20 agents started together should not all send at once; {dues} distinct times");
    }

    [Fact]
    public void A_due_time_asked_for_twice_is_the_same()
    {
        var schedule = Schedule();
        Assert.Equal(schedule.NextDue(Start + TimeSpan.FromSeconds(100)), schedule.NextDue(Start + TimeSpan.FromSeconds(101)));
    }

    [Fact]
    public void Retries_back_off_and_are_never_later_than_the_next_due_time()
    {
        var schedule = Schedule();
        var now = Start + Interval; // the heartbeat due now failed
        var attempts = new List<DateTimeOffset>();
        for (var failures = 1; failures <= 10; failures++)
        {
            var next = schedule.NextAttempt(now, failures);
            Assert.True(next <= schedule.NextDue(now), "a retry may not push the next due heartbeat back");
            attempts.Add(next);
            now = next;
        }
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps[0] < gaps[2], "the back-off grows");
        // Once it reaches the interval only due times are tried: the outage rate is the normal rate.
        Assert.All(attempts.Skip(6), a => Assert.True((a - Start).TotalSeconds % 30 is < 1.5 or > 28.5, $"{a:O} is not a due time"));
    }

    [Fact]
    public void A_long_outage_costs_the_normal_rate_plus_a_few_quick_retries()
    {
        var schedule = Schedule();
        var now = Start;
        var attempts = 0;
        var failures = 0;
        var outageEnd = Start + TimeSpan.FromHours(1);
        while (now < outageEnd)
        {
            attempts++;
            failures++;
            now = schedule.NextAttempt(now, failures);
        }
        var normal = (int)(TimeSpan.FromHours(1) / Interval);
        // The first attempt, then retries after 0.5, 1, 2, 4, 8 and 16 s before the back-off reaches 30 s.
        Assert.InRange(attempts, normal, normal + 1 + 6);
    }

    [Fact]
    public void After_recovery_the_next_heartbeat_is_the_next_due_time_not_a_catch_up()
    {
        var schedule = Schedule();
        var recovered = Start + TimeSpan.FromSeconds(95); // the outage swallowed three due times
        var next = schedule.NextAttempt(recovered, failures: 0);
        Assert.True((next - (Start + TimeSpan.FromSeconds(120))).Duration() <= MaxJitter, $"{next:O}");
    }

    [Fact]
    public void The_retry_delay_is_null_once_it_reaches_the_interval()
    {
        var schedule = Schedule();
        Assert.InRange(schedule.RetryDelay(1)!.Value, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500));
        Assert.Null(schedule.RetryDelay(7)); // 0.5 s × 2^6 = 32 s ≥ 30 s
    }
}
