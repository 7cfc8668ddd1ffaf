using Heartbeat.Contracts.Http;
using Heartbeat.Faults.Harness;

namespace Heartbeat.Faults;

/// <summary>Silence caused by the platform is never a machine outage.</summary>
[Collection(FaultCollection.Name)]
public class IntakeInterruptionTests(FaultFixture fixture)
{
    private FaultPlatform Platform => fixture.Platform;

    [Fact]
    public Task Ingest_frozen_for_twice_the_threshold_is_one_interruption_and_no_machine_outage() =>
        InterruptAsync("ingest frozen", () => Platform.Ingest.FreezeAsync(), () => Platform.Ingest.ThawAsync());

    [Fact]
    public Task Gateway_stopped_for_twice_the_threshold_is_one_interruption_and_no_machine_outage() =>
        InterruptAsync("gateway stopped", () => Platform.Gateway.StopAsync(), async () =>
        {
            Platform.Gateway.Start();
            await Platform.WaitUntilReadyAsync(Platform.Gateway, "/");
        });

    private async Task InterruptAsync(string fault, Func<Task> inject, Func<Task> repair)
    {
        await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(30));
        var healthy = new List<RegisteredMachine>();
        for (var i = 0; i < 3; i++) healthy.Add(await Platform.RegisterAsync($"{fault} healthy {i}"));
        var stopper = await Platform.RegisterAsync($"{fault} stops");
        var agents = healthy.Select(Platform.KeepSending).ToList();
        var stopperAgent = Platform.KeepSending(stopper);
        await Task.Delay(TimeSpan.FromSeconds(2)); // every agent has sent and been read: load, not synchronisation
        var before = (await Platform.IncidentsAsync()).Select(i => i.Id).ToHashSet();

        // The stopper's agent dies as the fault begins: it really is silent, and must be told once, afterwards.
        await stopperAgent.CancelAsync();
        var injectedAt = DateTimeOffset.UtcNow;
        await inject();
        await Task.Delay(2 * FaultPlatform.Threshold); // the fault lasts twice the threshold; not synchronisation
        await repair();
        var repairedAt = DateTimeOffset.UtcNow;

        var incident = (await Eventually.Async(
            async () => (await Platform.IncidentsAsync()).Where(i => !before.Contains(i.Id)).ToList(),
            news => news.Count >= 1 && news.All(i => i.EndedAt is not null),
            $"one ended intake interruption recorded for '{fault}'", TimeSpan.FromSeconds(30))).Single();
        Assert.True(incident.StartedAt <= injectedAt.AddSeconds(1) && incident.EndedAt >= repairedAt.AddSeconds(-1),
            $"the interruption {incident.StartedAt:O}–{incident.EndedAt:O} does not cover the fault {injectedAt:O}–{repairedAt:O}");

        var offline = await Eventually.Async(() => Platform.TransitionsAsync([stopper.Id]), t => t.Offline >= 1,
            "the machine that really stopped is declared offline after the interruption", TimeSpan.FromSeconds(30));
        var delay = await OfflineDetectedAtAsync(stopper.Id) - incident.EndedAt!.Value;
        Console.WriteLine($"{fault}: interruption {incident.DurationSeconds:F1} s ({incident.Cause}); stopped machine declared offline {delay.TotalSeconds:F1} s after intake was restored");

        foreach (var agent in agents) await agent.CancelAsync();
        foreach (var m in healthy.Append(stopper)) await Platform.Machines.Pause(m.Id);
        await Task.Delay(TimeSpan.FromSeconds(2)); // a window in which a duplicate would show, not synchronisation

        Assert.Equal((0L, 0L, 0L), await Platform.TransitionsAsync(healthy.Select(m => m.Id)));
        Assert.Empty(healthy.SelectMany(m => Platform.Webhooks.For(m.Id)));
        Assert.Equal((1L, 0L, 0L), await Platform.TransitionsAsync([stopper.Id]));
        Assert.Equal((1L, 0L, 0L), offline);
        // Deadline moved by the interruption plus one expected interval: never before the fault was repaired.
        Assert.True(delay >= TimeSpan.Zero, $"offline {delay.TotalSeconds:F1} s before intake was restored");
    }

    private async Task<DateTimeOffset> OfflineDetectedAtAsync(Guid machineId)
    {
        await using var command = Platform.Database.CreateCommand(
            "select (data->>'DetectedAt')::timestamptz from heartbeat_events.mt_events where stream_id = $1 and type = 'machine_went_offline'");
        command.Parameters.AddWithValue(machineId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetFieldValue<DateTimeOffset>(0);
    }
}
