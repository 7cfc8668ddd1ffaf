using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Heartbeats;

namespace Heartbeat.Ingest.Tests;

/// <summary>Text PostgreSQL would refuse is refused at the door, naming the field, so it never reaches a group commit.</summary>
public class StorableTextTests
{
    // Built in code: xUnit's theory data would turn an unpaired surrogate into U+FFFD before the test saw it.
    public static TheoryData<string> Unstorable => new()
    {
        "disk \0 full",
        "lone high " + (char)0xD800 + " surrogate",
        "lone low " + (char)0xDC00 + " surrogate",
        "ends with a high surrogate " + (char)0xD83D,
        "two highs " + (char)0xD83D + (char)0xD83D + (char)0xDD25,
    };

    [Theory]
    [MemberData(nameof(Unstorable), DisableDiscoveryEnumeration = true)]
    public void A_message_with_nul_or_an_unpaired_surrogate_is_refused_naming_the_field(string message)
    {
        Assert.False(StorableText.IsStorable(message));
        var errors = ReceiveHeartbeat.Validate(new HeartbeatRequest(Message: message), out _);

        Assert.Equal(["message"], errors.Keys);
        Assert.Contains("NUL", errors["message"][0]);
    }

    [Fact]
    public void An_agent_version_with_nul_is_refused_naming_the_field() =>
        Assert.Equal(["agent_version"], ReceiveHeartbeat.Validate(new HeartbeatRequest(AgentVersion: "1.0\0"), out _).Keys);

    [Fact]
    public void A_metric_name_with_an_unpaired_surrogate_is_refused_naming_the_field() =>
        Assert.Equal(["metrics"], ReceiveHeartbeat.Validate(new HeartbeatRequest(Metrics: new Dictionary<string, double> { ["cpu" + (char)0xDFFF] = 1 }), out _).Keys);

    [Theory]
    [InlineData("all good")]
    [InlineData("emoji as a surrogate pair: \ud83d\udd25")]
    [InlineData("")]
    [InlineData(null)]
    public void Ordinary_text_and_surrogate_pairs_are_stored(string? message)
    {
        Assert.True(StorableText.IsStorable(message));
        Assert.Empty(ReceiveHeartbeat.Validate(new HeartbeatRequest(AgentVersion: message, Message: message), out _));
    }
}
