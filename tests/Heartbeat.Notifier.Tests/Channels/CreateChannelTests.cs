using Heartbeat.Contracts.Http;
using Heartbeat.Notifier.Channels;

namespace Heartbeat.Notifier.Tests.Channels;

public class CreateChannelTests
{
    private static readonly CreateChannelRequest Valid = new("ops on-call", "webhook", "https://hooks.example.net/heartbeat", "a-channel-secret-of-32-characters");

    [Fact]
    public void A_complete_webhook_channel_is_valid() => Assert.Empty(CreateChannel.Validate(Valid));

    [Fact]
    public void Plain_http_urls_are_accepted() => Assert.Empty(CreateChannel.Validate(Valid with { Url = "http://localhost:9000/hook" }));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Name_is_required(string? name) => AssertOnlyError(Valid with { Name = name }, "name", "required");

    [Fact]
    public void Name_longer_than_200_characters_is_refused()
    {
        Assert.Empty(CreateChannel.Validate(Valid with { Name = new string('n', 200) }));
        AssertOnlyError(Valid with { Name = new string('n', 201) }, "name", "200");
    }

    [Theory]
    [InlineData("slack")]
    [InlineData("email")]
    [InlineData(null)]
    public void Type_other_than_webhook_is_refused_naming_the_only_type(string? type) =>
        AssertOnlyError(Valid with { Type = type }, "type", "only channel type so far is \"webhook\"");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hooks.example.net/heartbeat")]
    [InlineData("/relative/path")]
    [InlineData("ftp://files.example.net/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("not a url")]
    public void Url_must_be_absolute_http_or_https(string? url) => AssertOnlyError(Valid with { Url = url }, "url", "http");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Secret_is_required(string? secret) => AssertOnlyError(Valid with { Secret = secret }, "secret", "required");

    [Fact]
    public void Secret_shorter_than_16_characters_is_refused()
    {
        Assert.Empty(CreateChannel.Validate(Valid with { Secret = new string('s', 16) }));
        AssertOnlyError(Valid with { Secret = new string('s', 15) }, "secret", "16");
    }

    [Fact]
    public void Every_invalid_field_is_named_at_once()
    {
        var errors = CreateChannel.Validate(new CreateChannelRequest(null, "sms", "nope", "short"));

        Assert.Equal(["name", "secret", "type", "url"], errors.Keys.Order());
    }

    [Fact]
    public void Errors_never_echo_the_secret()
    {
        var errors = CreateChannel.Validate(Valid with { Secret = "too-short-15chr" });

        Assert.DoesNotContain(errors.Values.SelectMany(v => v), m => m.Contains("too-short-15chr"));
    }

    [Fact]
    public void The_view_of_a_channel_has_no_secret()
    {
        var channel = CreateChannel.ToChannel(Valid, Guid.CreateVersion7(), DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain(typeof(ChannelView).GetProperties(), p => p.Name.Contains("Secret"));
        Assert.Equal(Valid.Secret, channel.Secret);
        Assert.DoesNotContain(Valid.Secret!, channel.ToString());
        Assert.Equal("webhook", channel.ToView().Type);
    }

    private static void AssertOnlyError(CreateChannelRequest request, string field, string mentioning)
    {
        var errors = CreateChannel.Validate(request);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Key);
        Assert.Contains(mentioning, Assert.Single(error.Value));
    }
}
