using System.Net;
using System.Net.Http.Headers;
using Heartbeat.Detector.Tracking;
using Marten;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector.Canary;

/// <summary>
/// Keeps crashed instances from leaving canaries behind. Each instance registers a fresh canary when it starts (its
/// token lives only in its memory, so a restarted process cannot reuse the old one) and retires it on a graceful
/// stop; after a crash nobody does. The leader, every few seconds, retires every canary whose heartbeats stopped
/// <see cref="DetectorOptions.CanaryAbandonedAfter"/> before the newest canary heartbeat (<see cref="Abandoned"/>),
/// through the public API as the sender registered it, and forgets it.
/// </summary>
public sealed class CanaryReaper(
    IDocumentStore store,
    Fleet fleet,
    CanaryEvidence evidence,
    IConfiguration configuration,
    TimeProvider clock,
    IOptions<DetectorOptions> options,
    ILogger<CanaryReaper> logger)
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken ct)
    {
        if (options.Value.CanaryUrl is not { } url) return;
        using var http = new HttpClient { BaseAddress = url, Timeout = RequestTimeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CanarySender.FirstAdminKey(configuration));
        using var timer = new PeriodicTimer(Every, clock);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await ReapAsync(http, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Nothing is lost: an abandoned canary is paused and hidden, and is retired on a later round.
                logger.LogWarning("Retiring abandoned canaries failed ({Error}); trying again in {Every}", e.Message, Every);
            }
        }
    }

    private async Task ReapAsync(HttpClient http, CancellationToken ct)
    {
        List<CanaryMachine> canaries;
        await using (var query = store.QuerySession())
            canaries = [.. await query.Query<CanaryMachine>().ToListAsync(ct)];
        var signs = canaries.Select(c => (c.Id, LastSign: fleet.Find(c.Id) is { } m ? m.LastSeenAt ?? m.MonitoredSince : c.RegisteredAt)).ToList();
        foreach (var id in Abandoned(signs, evidence.Own, options.Value.CanaryAbandonedAfter))
        {
            using var response = await http.DeleteAsync($"api/machines/{id}", ct);
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
                throw new HttpRequestException($"retiring canary {id} got {(int)response.StatusCode} {response.ReasonPhrase}");
            await using var session = store.LightweightSession();
            session.Delete<CanaryMachine>(id);
            await session.SaveChangesAsync(ct);
            logger.LogWarning("Canary machine {MachineId} retired: its instance stopped sending without retiring it (a crash)", id);
        }
    }

    /// <summary>
    /// The canaries to retire: silent for longer than <paramref name="after"/> before the newest canary heartbeat of
    /// any instance. Measured against that, not against the clock, so an intake interruption (when no canary arrives)
    /// never makes a live instance's canary look abandoned. This instance's own canary is never one.
    /// </summary>
    public static IReadOnlyList<Guid> Abandoned(IReadOnlyList<(Guid Id, DateTimeOffset LastSign)> canaries, Guid? own, TimeSpan after)
    {
        if (canaries.Count == 0) return [];
        var newest = canaries.Max(c => c.LastSign);
        return canaries.Where(c => c.Id != own && newest - c.LastSign > after).Select(c => c.Id).ToList();
    }
}
