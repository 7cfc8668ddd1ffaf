using Heartbeat.ServiceDefaults;
using Microsoft.Extensions.Configuration;

namespace Heartbeat.Detector.Tests;

public class DurationsTests
{
    [Theory]
    [InlineData("2m", 120)]
    [InlineData("30s", 30)]
    [InlineData("500ms", 0.5)]
    [InlineData("1h", 3600)]
    [InlineData("00:02:00", 120)]
    [InlineData("1.5m", 90)]
    [InlineData("45", 45)] // a bare number is seconds, as the agent and the CLI read it (one parser)
    public void Reads_both_clock_and_unit_forms(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.Parse(text));

    [Theory]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("0s")]
    public void Rejects_what_is_not_a_positive_duration(string text) =>
        Assert.False(Durations.TryParse(text, out _));

    [Fact]
    public void Honours_the_legacy_aliases()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MACHINE_OFFLINE_THRESHOLD"] = "5m",
            ["MACHINE_HEARTBEAT_CHECK_INTERVAL"] = "00:00:45",
        }).Build();
        var options = new DetectorOptions();

        DetectorOptions.Bind(options, configuration);

        Assert.Equal(TimeSpan.FromMinutes(5), options.OfflineThreshold);
        Assert.Equal(TimeSpan.FromSeconds(45), options.ExpectedInterval);
    }

    [Fact]
    public void The_detector_setting_wins_over_the_alias()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Detector:OfflineThreshold"] = "90s",
            ["MACHINE_OFFLINE_THRESHOLD"] = "5m",
        }).Build();
        var options = new DetectorOptions();

        DetectorOptions.Bind(options, configuration);

        Assert.Equal(TimeSpan.FromSeconds(90), options.OfflineThreshold);
    }

    [Fact]
    public void An_unreadable_setting_fails_start_up()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MACHINE_OFFLINE_THRESHOLD"] = "two minutes" }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => DetectorOptions.Bind(new DetectorOptions(), configuration));
        Assert.Contains("MACHINE_OFFLINE_THRESHOLD", error.Message);
    }
}
