using System.Diagnostics;
using Heartbeat.Contracts.Http;
using Refit;

namespace Heartbeat.Benchmarks;

/// <summary>Registers machines through the gateway's API, as an admin would, 32 at a time.</summary>
public static class Registration
{
    public const int Parallelism = 32;

    public static async Task<RegisteredMachine[]> RegisterAsync(
        PlatformProcesses platform, int count, int thresholdSeconds, Action<int, RegisteredMachine>? registered, CancellationToken ct,
        Func<int, ProbeRequest>? probe = null)
    {
        var machines = new RegisteredMachine[count];
        var clock = Stopwatch.StartNew();
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (i, token) =>
            {
                var request = new RegisterMachineRequest($"bench-{i:D6}", $"bench-{i:D6}.bench.test", "benchmark machine", ["bench"], thresholdSeconds, Probe: probe?.Invoke(i));
                IApiResponse<RegisteredMachine>? response = null;
                for (var attempt = 1; attempt <= 3; attempt++) // a rare 503 while the platform warms up is retried, bounded
                {
                    response = await platform.Machines.Register(request, token);
                    if (response.IsSuccessStatusCode) break;
                }
                if (response is not { IsSuccessStatusCode: true, Content: { } machine })
                    throw new InvalidOperationException($"registering machine {i} failed: {(int?)response?.StatusCode} {response?.Error?.Message}");
                machines[i] = machine;
                registered?.Invoke(i, machine);
                var n = Interlocked.Increment(ref done);
                if (n % 10_000 == 0) Console.Error.WriteLine($"[bench] registered {n:N0}/{count:N0} ({n / clock.Elapsed.TotalSeconds:N0}/s)");
            });
        Console.Error.WriteLine($"[bench] registered {count:N0} machines in {clock.Elapsed.TotalSeconds:F1} s ({count / clock.Elapsed.TotalSeconds:N0}/s)");
        return machines;
    }
}
