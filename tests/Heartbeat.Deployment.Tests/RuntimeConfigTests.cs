using System.Text.Json;

namespace Heartbeat.Deployment.Tests;

/// <summary>
/// Runtime settings of the built services, read from what the build produced (<c>*.runtimeconfig.json</c>), since a
/// misspelt MSBuild property is silently ignored (it was, once).
/// </summary>
public sealed class RuntimeConfigTests
{
    /// <summary>
    /// The services that hold a fleet in memory run the workstation GC: on a small box the server GC's per-core heaps and
    /// large gen0/gen1 budgets cost hundreds of MiB (the detector had 580 MiB committed with 100,000 machines).
    /// </summary>
    [Theory]
    [InlineData("services", "Heartbeat.Detector")]
    [InlineData("services", "Heartbeat.Prober")]
    public void The_built_service_runs_the_workstation_gc(string folder, string service) =>
        Assert.True(PropertiesOf(folder, service).TryGetProperty("System.GC.Server", out var server) && !server.GetBoolean(),
            $"{service} does not turn the server GC off");

    /// <summary>No dynamic PGO: its extra compilations land when a burst makes new code hot (Directory.Build.props).</summary>
    [Theory]
    [InlineData("services", "Heartbeat.Ingest")]
    [InlineData("services", "Heartbeat.Detector")]
    [InlineData("services", "Heartbeat.Notifier")]
    [InlineData("services", "Heartbeat.Prober")]
    [InlineData("gateway", "Heartbeat.Gateway")]
    public void The_built_service_runs_without_dynamic_pgo(string folder, string service) =>
        Assert.True(PropertiesOf(folder, service).TryGetProperty("System.Runtime.TieredPGO", out var pgo) && !pgo.GetBoolean(),
            $"{service} does not turn dynamic PGO off");

    private static JsonElement PropertiesOf(string folder, string service)
    {
        // The configuration and framework these tests were built with (bin/<configuration>/<framework>/), which the services share.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var file = Repository.PathOf($"{folder}/{service}/bin/{output.Parent!.Name}/{output.Name}/{service}.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(file));
        return config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}
