using YamlDotNet.RepresentationModel;

namespace Heartbeat.Deployment.Tests;

/// <summary>Compose builds every service from the one Dockerfile, naming a project that exists.</summary>
public sealed class ComposeTests
{
    private static readonly YamlMappingNode Services = Repository.Yaml("compose/docker-compose.yml").Map("services");

    [Fact]
    public void Every_built_service_uses_the_one_dockerfile_with_an_existing_project()
    {
        var built = Services.Children.Where(s => ((YamlMappingNode)s.Value).Children.ContainsKey(new YamlScalarNode("build"))).ToList();
        Assert.NotEmpty(built);
        foreach (var (name, definition) in built)
        {
            var build = ((YamlMappingNode)definition).Map("build");
            Assert.Equal("compose/Dockerfile", ((YamlScalarNode)build.Children[new YamlScalarNode("dockerfile")]).Value);
            var project = ((YamlScalarNode)build.Map("args").Children[new YamlScalarNode("PROJECT")]).Value!;
            var folder = Repository.PathOf(project);
            Assert.True(Directory.GetFiles(folder, "*.csproj").Length == 1, $"{name}: {project} has no project file");
        }
        Assert.Equal([Repository.PathOf("compose/Dockerfile")], Directory.GetFiles(Repository.Root, "Dockerfile", SearchOption.AllDirectories));
    }

    [Fact]
    public void Loki_and_the_rabbitmq_metrics_endpoint_are_wired()
    {
        Assert.Contains("loki", Services.Keys());
        var scrape = File.ReadAllText(Repository.PathOf("observability/prometheus.yml"));
        Assert.Contains("rabbitmq:15692", scrape);
        Assert.Contains("rabbitmq_prometheus", File.ReadAllText(Repository.PathOf("observability/rabbitmq-enabled-plugins")));
    }
}
