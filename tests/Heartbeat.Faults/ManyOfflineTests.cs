using System.Net.Http.Json;
using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.Faults.Harness;

namespace Heartbeat.Faults;

/// <summary>
/// More machines due in one tick than the detector appends in one transaction (500 a chunk): every one of them still
/// gets exactly one offline transition, none skipped at a chunk's edge and none appended twice.
/// </summary>
[Collection(FaultCollection.Name)]
public class ManyOfflineTests(FaultFixture fixture)
{
    private const int Count = 1_200;
    private FaultPlatform Platform => fixture.Platform;

    [Fact]
    public async Task Twelve_hundred_machines_with_one_deadline_each_get_exactly_one_offline_transition()
    {
        await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(30));
        var machines = new RegisteredMachine[Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, Count), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => machines[i] = await Platform.RegisterAsync($"many offline {i}"));
        var ids = machines.Select(m => m.Id).ToList();
        try
        {
            await OneDeadlineAsync(ids);
        }
        finally
        {
            await RetireAsync(ids);
        }
    }

    private async Task OneDeadlineAsync(List<Guid> ids)
    {
        // One heartbeat each, all received at the same microsecond, stored the way ingest stores a group commit: the
        // deadlines fall in one tick of the detector, which no number of agents over HTTP could arrange.
        await AppendHeartbeatsAsync(ids, DateTimeOffset.UtcNow);

        var transitions = await Eventually.Async(() => Platform.TransitionsAsync(ids), t => t.Offline >= Count,
            $"an offline transition for each of the {Count} machines", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a window in which an appended-twice chunk would show: not synchronisation

        Assert.Equal((Count, 0L, 0L), transitions);
        Assert.Equal((Count, 0L, 0L), await Platform.TransitionsAsync(ids));
        await using var perMachine = Platform.Database.CreateCommand(
            "select count(distinct stream_id) from heartbeat_events.mt_events where type = 'machine_went_offline' and stream_id = any($1)");
        perMachine.Parameters.AddWithValue(ids.ToArray());
        Assert.Equal((long)Count, (long)(await perMachine.ExecuteScalarAsync())!);
    }

    /// <summary>
    /// The suite's other tests share this platform and list its machines (all of them on one page): the 1,200 are
    /// retired, and gone from every detector's board, before the next test runs.
    /// </summary>
    private async Task RetireAsync(List<Guid> ids)
    {
        using var admin = FaultPlatform.Admin(Platform.Gateway.BaseAddress);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) =>
        {
            using var response = await admin.DeleteAsync($"/api/machines/{id}");
            Assert.True(response.IsSuccessStatusCode, $"retire {id}: {response.StatusCode}");
        });
        foreach (var detector in Platform.Detectors)
        {
            using var http = FaultPlatform.Admin(detector.BaseAddress);
            await Eventually.Async(() => http.GetFromJsonAsync<MachinePage>("/api/machines?q=many%20offline&limit=1", HeartbeatJson.Options),
                p => p!.Total == 0, $"the retired machines gone from {detector.BaseAddress}", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500));
        }
    }

    private async Task AppendHeartbeatsAsync(IReadOnlyList<Guid> machines, DateTimeOffset receivedAt)
    {
        var microseconds = (receivedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        var body = JsonSerializer.Serialize(new { Heartbeats = machines.Select(m => new { m, t = microseconds }) });
        await using (var append = Platform.Database.CreateCommand("""
            select heartbeat_events.mt_quick_append_events($1, 'heartbeat_batch', '*DEFAULT*', array[$2], array['heartbeats_received'],
              array['Heartbeat.Contracts.Events.HeartbeatsReceived, Heartbeat.Contracts'], array[$3::jsonb], array[null::bytea], array[now()])
            """))
        {
            append.Parameters.AddWithValue(Guid.CreateVersion7());
            append.Parameters.AddWithValue(Guid.CreateVersion7());
            append.Parameters.AddWithValue(body);
            await append.ExecuteNonQueryAsync();
        }
        await using var wake = Platform.Database.CreateCommand("select pg_notify('mt_events_appended', '')");
        await wake.ExecuteNonQueryAsync();
    }
}
