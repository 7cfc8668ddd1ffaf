using Heartbeat.Contracts.Http;
using Heartbeat.Faults.Harness;

namespace Heartbeat.Faults;

/// <summary>PostgreSQL itself stopped: a platform of its own on a private cluster, so the shared server is never touched.</summary>
public class PostgresOutageTests
{
    [Fact]
    public async Task PostgreSQL_stopped_for_twice_the_threshold_is_one_interruption_and_no_machine_outage()
    {
        Assert.True(PrivatePostgres.Available, "PostgreSQL 15's binaries are needed in /usr/lib/postgresql/15/bin (scripts/test installs them)");
        await using var postgres = new PrivatePostgres();
        await postgres.StartAsync();
        await using var platform = new FaultPlatform(postgres.ServerConnectionString,
            Environment.GetEnvironmentVariable("HEARTBEAT_TEST_RABBITMQ") ?? throw new InvalidOperationException("Run through scripts/test"), detectorCount: 1);
        await platform.StartAsync();

        var healthy = new List<RegisteredMachine>();
        for (var i = 0; i < 3; i++) healthy.Add(await platform.RegisterAsync($"pg healthy {i}"));
        var stopper = await platform.RegisterAsync("pg stops");
        var agents = healthy.Select(platform.KeepSending).ToList();
        var stopperAgent = platform.KeepSending(stopper);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the agents have sent and been read: load, not synchronisation

        await stopperAgent.CancelAsync(); // really silent from the moment PostgreSQL stops
        var stoppedAt = DateTimeOffset.UtcNow;
        await postgres.StopServerAsync();
        await Task.Delay(2 * FaultPlatform.Threshold); // the outage lasts twice the threshold; not synchronisation
        await postgres.StartServerAsync();
        var startedAt = DateTimeOffset.UtcNow;

        var incidents = await Eventually.Async(platform.IncidentsAsyncOrEmpty, list => list.Any(i => i.EndedAt is not null),
            "an ended intake interruption recorded once PostgreSQL is back", TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(1));
        var offline = await Eventually.Async(() => platform.TransitionsAsync([stopper.Id]), t => t.Offline >= 1,
            "the machine that really stopped declared offline afterwards", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));
        Console.WriteLine($"PostgreSQL stopped {stoppedAt:O}–{startedAt:O}; interruptions: " +
            string.Join("; ", incidents.Select(i => $"{i.StartedAt:O}–{i.EndedAt:O} {i.DurationSeconds:F1} s ({i.Cause})")));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a window in which a false or duplicate transition would show
        foreach (var agent in agents) await agent.CancelAsync();

        Assert.Equal((0L, 0L, 0L), await platform.TransitionsAsync(healthy.Select(m => m.Id)));
        Assert.Empty(healthy.SelectMany(m => platform.Webhooks.For(m.Id)));
        Assert.Equal((1L, 0L, 0L), await platform.TransitionsAsync([stopper.Id]));
        Assert.Equal((1L, 0L, 0L), offline);
        var covering = incidents.Where(i => i.StartedAt <= stoppedAt.AddSeconds(1) && i.EndedAt >= startedAt.AddSeconds(-1)).ToList();
        Assert.True(covering.Count == 1, $"expected one interruption covering the outage, got: {string.Join("; ", incidents)}");
    }
}
