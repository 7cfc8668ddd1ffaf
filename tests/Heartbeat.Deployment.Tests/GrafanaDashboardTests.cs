using System.Text.Json;
using System.Text.Json.Nodes;

namespace Heartbeat.Deployment.Tests;

/// <summary>Every provisioned dashboard parses and uses only data sources that are provisioned.</summary>
public sealed class GrafanaDashboardTests
{
    private static readonly HashSet<string> ProvisionedUids = Repository
        .Yaml("observability/grafana/provisioning/datasources/datasources.yml")
        .Children[new YamlDotNet.RepresentationModel.YamlScalarNode("datasources")] is YamlDotNet.RepresentationModel.YamlSequenceNode list
            ? list.Children.Cast<YamlDotNet.RepresentationModel.YamlMappingNode>()
                .Select(d => ((YamlDotNet.RepresentationModel.YamlScalarNode)d.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("uid")]).Value!)
                .ToHashSet()
            : [];

    public static TheoryData<string> Dashboards() =>
        new(Directory.GetFiles(Repository.PathOf("observability/grafana/dashboards"), "*.json").Select(Path.GetFileName)!);

    [Fact]
    public void Prometheus_tempo_and_loki_are_provisioned() =>
        Assert.Superset(new HashSet<string> { "prometheus", "tempo", "loki" }, ProvisionedUids);

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_references_only_provisioned_data_sources(string file)
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Repository.PathOf($"observability/grafana/dashboards/{file}")))!;
        var uids = DataSourceUids(dashboard).ToList();
        Assert.NotEmpty(uids);
        Assert.All(uids, uid => Assert.True(ProvisionedUids.Contains(uid), $"{file} uses data source '{uid}', which is not provisioned"));
        Assert.NotEmpty(dashboard["panels"]!.AsArray());
    }

    [Fact]
    public void Fleet_dashboard_shows_the_platforms_own_metrics()
    {
        var text = File.ReadAllText(Repository.PathOf("observability/grafana/dashboards/heartbeat-fleet.json"));
        foreach (var metric in new[] { "heartbeat_machines", "heartbeat_heartbeats_received_total", "heartbeat_detection_delay_seconds_bucket",
                     "heartbeat_notifications_total", "heartbeat_delivery_latency_seconds_bucket" })
            Assert.Contains(metric, text);
    }

    private static IEnumerable<string> DataSourceUids(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["datasource"] is JsonObject { } ds && ds["uid"]?.GetValueKind() == JsonValueKind.String)
                    yield return ds["uid"]!.GetValue<string>();
                foreach (var (_, child) in obj)
                    if (child is not null)
                        foreach (var uid in DataSourceUids(child)) yield return uid;
                break;
            case JsonArray array:
                foreach (var child in array)
                    if (child is not null)
                        foreach (var uid in DataSourceUids(child)) yield return uid;
                break;
        }
    }
}
