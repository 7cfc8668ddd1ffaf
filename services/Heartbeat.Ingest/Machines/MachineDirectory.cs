using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// Looks up machine credentials for every heartbeat, cached for a short while so the hot path does not
/// read PostgreSQL per request. Unknown ids are not cached, so a machine registered through another
/// replica is accepted at once; a retirement through another replica takes effect within <see cref="CacheFor"/>.
/// </summary>
public sealed class MachineDirectory(IDocumentStore store, IMemoryCache cache)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async ValueTask<MachineCredential?> FindAsync(Guid machineId, CancellationToken ct)
    {
        if (cache.TryGetValue(machineId, out MachineCredential? cached)) return cached;
        await using var session = store.QuerySession();
        var credential = await session.LoadAsync<MachineCredential>(machineId, ct);
        if (credential is not null) cache.Set(machineId, credential, CacheFor);
        return credential;
    }

    public void Forget(Guid machineId) => cache.Remove(machineId);
}
