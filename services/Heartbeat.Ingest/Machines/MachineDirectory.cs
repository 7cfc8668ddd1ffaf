using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Ingest.Heartbeats;
using Marten;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// Looks up machine credentials for every heartbeat, cached so the hot path does not read PostgreSQL per
/// request. The cache outlives several heartbeat intervals (machines send every ~30 s; a shorter life
/// would make nearly every heartbeat a miss). Unknown ids are remembered only briefly
/// (RateLimits:UnknownMachineCacheFor): long enough that a caller repeating an unknown id costs no database
/// read each time, short enough to be harmless — ids are handed out by registration (UUIDv7), so an id
/// asked for before it was registered is not one a new machine will get. A retirement through another
/// replica takes effect within <see cref="CacheFor"/> (its heartbeats meanwhile are stored but judge
/// nothing: the detector ignores retired machines).
/// </summary>
public sealed class MachineDirectory(IDocumentStore store, IMemoryCache cache, IOptions<RateLimitOptions> limits)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);

    /// <summary>The cached answer for an id that is not registered.</summary>
    private static readonly object Unknown = new();

    public async ValueTask<MachineState?> FindAsync(Guid machineId, CancellationToken ct)
    {
        if (cache.TryGetValue(machineId, out var cached)) return cached as MachineState;
        await using var session = store.QuerySession();
        var credential = await session.LoadAsync<MachineState>(machineId, ct);
        if (credential is not null) cache.Set(machineId, credential, CacheFor);
        else cache.Set(machineId, Unknown, limits.Value.UnknownMachineCacheFor);
        return credential;
    }

    public void Forget(Guid machineId) => cache.Remove(machineId);
}
