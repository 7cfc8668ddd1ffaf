using Heartbeat.ServiceDefaults.Machines;
using System.Security.Cryptography;
using System.Text;
using Heartbeat.Ingest.Heartbeats;
using Heartbeat.Ingest.Machines;
using Marten;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Heartbeat.Ingest.Pings;

/// <summary>Fleet-wide ping API keys (Heartbeat:PingApiKeys, comma-separated): one key addresses any machine by name.</summary>
public sealed class PingOptions
{
    public IReadOnlyList<string> PingApiKeys { get; set; } = [];

    public static void Bind(PingOptions o, IConfiguration c) =>
        o.PingApiKeys = (c["Heartbeat:PingApiKeys"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// Finds the machine a ping addresses: by its ping key (stored as a digest), or by name with a fleet-wide ping
/// API key. Cached like <see cref="MachineDirectory"/>, unknown keys only briefly, so repeated pings cost no read.
/// </summary>
public sealed class PingDirectory(IDocumentStore store, IMemoryCache cache, IOptions<PingOptions> options, IOptions<RateLimitOptions> limits)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);
    private static readonly object Unknown = new();
    private readonly byte[][] _apiKeys = options.Value.PingApiKeys.Select(Digest).ToArray();

    public async ValueTask<MachineState?> FindByKeyAsync(string key, CancellationToken ct)
    {
        if (key.Length is 0 or > 256) return null;
        var hash = MachineTokens.Hash(key);
        return await CachedAsync("ping-key:" + hash, async session =>
            await session.Query<MachineState>().Where(c => c.PingKeyHash == hash && !c.Retired).FirstOrDefaultAsync(ct));
    }

    /// <summary>
    /// By name, for a ping API key. Names need not be unique: the newest registration with the name wins
    /// (ids are time-ordered), so re-registering a machine under its old name takes its pings over.
    /// </summary>
    public async ValueTask<MachineState?> FindByNameAsync(string? apiKey, string name, CancellationToken ct)
    {
        if (!IsPingApiKey(apiKey) || name.Length is 0 or > 200) return null;
        return await CachedAsync("ping-name:" + name, async session =>
            await session.Query<MachineState>().Where(c => c.Name == name && !c.Retired).OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct));
    }

    public bool IsPingApiKey(string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey) || apiKey.Length > 256) return false;
        var digest = Digest(apiKey);
        var found = false;
        foreach (var key in _apiKeys) found |= CryptographicOperations.FixedTimeEquals(key, digest);
        return found;
    }

    public void Forget(string keyHash) => cache.Remove("ping-key:" + keyHash);

    private async ValueTask<MachineState?> CachedAsync(string cacheKey, Func<IQuerySession, Task<MachineState?>> load)
    {
        if (cache.TryGetValue(cacheKey, out var cached)) return cached as MachineState;
        await using var session = store.QuerySession();
        var machine = await load(session);
        cache.Set(cacheKey, machine ?? Unknown, machine is null ? limits.Value.UnknownMachineCacheFor : CacheFor);
        return machine;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
