using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// Looks up machine credentials for every heartbeat, cached so the hot path does not read PostgreSQL per
/// request. The cache outlives several heartbeat intervals (machines send every ~30 s; a shorter life
/// would make nearly every heartbeat a miss). Unknown ids are not cached, so a machine registered through
/// another replica is accepted at once; a retirement through another replica takes effect within
/// <see cref="CacheFor"/> (its heartbeats meanwhile are stored but judge nothing: the detector ignores
/// retired machines).
/// </summary>
public sealed class MachineDirectory(IDocumentStore store, IMemoryCache cache)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);

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
