using System.Text.Json;
using Heartbeat.Notifier.Channels;

namespace Heartbeat.Notifier.Tests.Channels;

public class UpdateChannelTests
{
    private static readonly ChannelDraft Webhook = new("ops", "webhook", "https://hooks.example.net/x", "a-channel-secret-of-32-characters", null, null, null, Guid.CreateVersion7());

    private static (ChannelDraft, Dictionary<string, string[]>) Apply(string json) => UpdateChannel.Apply(Webhook, JsonDocument.Parse(json).RootElement);

    [Fact]
    public void Only_the_fields_present_change()
    {
        var (draft, errors) = Apply("""{"name":"renamed"}""");

        Assert.Empty(errors);
        Assert.Equal(Webhook with { Name = "renamed" }, draft);
    }

    [Fact]
    public void A_null_fallback_removes_it() => Assert.Null(Apply("""{"fallback_channel_id":null}""").Item1.FallbackChannelId);

    [Theory]
    [InlineData("""{"type":"slack"}""", "type", "cannot change")]
    [InlineData("""{"colour":"red"}""", "colour", "unknown field")]
    [InlineData("""{"fallback_channel_id":"nope"}""", "fallback_channel_id", "fallback_channel_id")]
    [InlineData("""{"name":42}""", "name", "wrong JSON type")]
    public void Bad_changes_name_the_field(string json, string field, string mentioning) =>
        Assert.Contains(mentioning, Assert.Single(Apply(json).Item2[field]));
}
