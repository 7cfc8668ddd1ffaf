using System.Text.Json;

namespace Heartbeat.Deployment.Tests;

/// <summary>
/// The services that hold a fleet in memory run the workstation GC: on a small box the server GC's per-core heaps and
/// large gen0/gen1 budgets cost hundreds of MiB (the detector had 580 MiB committed with 100,000 machines). Read from
/// what the build produced, since a misspelt MSBuild property is silently ignored (it was, once).
/// </summary>
public sealed class GarbageCollectorTests
{
    [Theory]
    [InlineData("Heartbeat.Detector")]
    [InlineData("Heartbeat.Prober")]
    public void The_built_service_runs_the_workstation_gc(string service)
    {
        // The configuration and framework these tests were built with (bin/<configuration>/<framework>/), which the services share.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var file = Repository.PathOf($"services/{service}/bin/{output.Parent!.Name}/{output.Name}/{service}.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(file));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.TryGetProperty("System.GC.Server", out var server) && !server.GetBoolean(), $"{file} does not turn the server GC off");
    }
}
