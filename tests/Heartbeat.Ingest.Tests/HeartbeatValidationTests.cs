using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Heartbeats;

namespace Heartbeat.Ingest.Tests;

public class HeartbeatValidationTests
{
    [Theory]
    [InlineData(null, ReportedStatus.Ok)]
    [InlineData("ok", ReportedStatus.Ok)]
    [InlineData("WARNING", ReportedStatus.Warning)]
    public void Reads_the_reported_status(string? status, ReportedStatus expected)
    {
        Assert.Empty(ReceiveHeartbeat.Validate(new HeartbeatRequest(Status: status), out var reported));
        Assert.Equal(expected, reported);
    }

    [Fact]
    public void Rejects_an_unknown_status() =>
        Assert.Contains("status", ReceiveHeartbeat.Validate(new HeartbeatRequest(Status: "down"), out _).Keys);

    [Fact]
    public void Rejects_a_message_over_1024_characters() =>
        Assert.Contains("message", ReceiveHeartbeat.Validate(new HeartbeatRequest(Message: new string('x', 1025)), out _).Keys);

    [Fact]
    public void Rejects_metrics_that_are_not_finite() =>
        Assert.Contains("metrics", ReceiveHeartbeat.Validate(new HeartbeatRequest(Metrics: new Dictionary<string, double> { ["cpu"] = double.NaN }), out _).Keys);
}
