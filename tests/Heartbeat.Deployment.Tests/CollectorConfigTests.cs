namespace Heartbeat.Deployment.Tests;

/// <summary>The collector config carries every signal the services send, and names only what it defines.</summary>
public sealed class CollectorConfigTests
{
    private static readonly YamlDotNet.RepresentationModel.YamlMappingNode Config = Repository.Yaml("observability/otel-collector.yaml");

    [Theory]
    [InlineData("traces")]
    [InlineData("metrics")]
    [InlineData("logs")]
    public void Each_signal_the_services_send_has_a_pipeline_from_otlp(string signal)
    {
        var pipeline = Config.Map("service").Map("pipelines").Map(signal);
        Assert.Contains("otlp", pipeline.List("receivers"));
        Assert.NotEmpty(pipeline.List("exporters"));
    }

    [Fact]
    public void Logs_go_to_loki_and_traces_to_tempo()
    {
        var pipelines = Config.Map("service").Map("pipelines");
        Assert.Contains(pipelines.Map("logs").List("exporters"), e => e.Contains("loki"));
        Assert.Contains(pipelines.Map("traces").List("exporters"), e => e.Contains("tempo"));
    }

    [Fact]
    public void Service_map_connectors_feed_the_metrics_pipeline()
    {
        var pipelines = Config.Map("service").Map("pipelines");
        foreach (var connector in new[] { "spanmetrics", "servicegraph" })
        {
            Assert.Contains(connector, pipelines.Map("traces").List("exporters"));
            Assert.Contains(connector, pipelines.Map("metrics").List("receivers"));
        }
    }

    [Fact]
    public void Every_component_a_pipeline_names_is_defined()
    {
        var receivers = Config.Map("receivers").Keys().Concat(Config.Map("connectors").Keys()).ToHashSet();
        var exporters = Config.Map("exporters").Keys().Concat(Config.Map("connectors").Keys()).ToHashSet();
        var processors = Config.Map("processors").Keys().ToHashSet();
        foreach (var name in Config.Map("service").Map("pipelines").Keys())
        {
            var pipeline = Config.Map("service").Map("pipelines").Map(name);
            Assert.All(pipeline.List("receivers"), r => Assert.True(receivers.Contains(r), $"{name}: receiver {r} is not defined"));
            Assert.All(pipeline.List("processors"), p => Assert.True(processors.Contains(p), $"{name}: processor {p} is not defined"));
            Assert.All(pipeline.List("exporters"), e => Assert.True(exporters.Contains(e), $"{name}: exporter {e} is not defined"));
        }
    }
}
