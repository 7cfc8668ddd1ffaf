using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Pings;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// POST /api/machines/{id}/ping-key creates a ping key, or rotates it (the old one stops working at once on this
/// replica, within <see cref="PingDirectory.CacheFor"/> on others); DELETE revokes it. The key is shown once.
/// </summary>
public static class PingKeys
{
    public static async Task<Results<Created<PingKeyCreated>, ProblemHttpResult>> Issue(
        Guid id, IDocumentSession session, PingDirectory pings, TimeProvider clock, IOptions<IngestOptions> options, CancellationToken ct)
    {
        var machine = await session.LoadAsync<MachineState>(id, ct);
        if (machine is null || machine.Retired) return NotFound(id);

        // Ping keys travel in URLs (shell history, proxy logs): random, long, and URL-safe without escaping.
        var key = MachineTokens.NewToken()["hb_".Length..];
        session.Events.Append(id, new PingKeyIssued(id, MachineTokens.Hash(key), clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        if (machine.PingKeyHash is { } old) pings.Forget(old);

        var baseUrl = options.Value.PublicUrl.TrimEnd('/');
        return TypedResults.Created($"/api/machines/{id}/ping-key", new PingKeyCreated(
            id, key, $"{baseUrl}/ping/{key}", $"{baseUrl}/api/push/{key}?status=up&msg=OK&ping=", $"{baseUrl}/api/alertmanager/{key}"));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, IDocumentSession session, PingDirectory pings, TimeProvider clock, CancellationToken ct)
    {
        var machine = await session.LoadAsync<MachineState>(id, ct);
        if (machine is null || machine.Retired) return NotFound(id);
        if (machine.PingKeyHash is { } old)
        {
            session.Events.Append(id, new PingKeyRevoked(id, clock.GetUtcNow()));
            await session.SaveChangesAsync(ct);
            pings.Forget(old);
        }
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No machine {id}.");
}
