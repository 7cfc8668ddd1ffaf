using Heartbeat.Contracts.Http;
using Heartbeat.Notifier.Channels;

namespace Heartbeat.Notifier.Tests.Channels;

public class CreateChannelTests
{
    private static readonly CreateChannelRequest Valid = new("ops on-call", "webhook", "https://hooks.example.net/heartbeat", "a-channel-secret-of-32-characters");

    private static Dictionary<string, string[]> Validate(CreateChannelRequest request, bool smtp = true) => CreateChannel.Validate(ChannelDraft.From(request), smtp);

    [Fact]
    public void A_complete_webhook_channel_is_valid() => Assert.Empty(Validate(Valid));

    [Fact]
    public void Plain_http_urls_are_accepted() => Assert.Empty(Validate(Valid with { Url = "http://localhost:9000/hook" }));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Name_is_required(string? name) => AssertOnlyError(Valid with { Name = name }, "name", "required");

    [Fact]
    public void Name_longer_than_200_characters_is_refused()
    {
        Assert.Empty(Validate(Valid with { Name = new string('n', 200) }));
        AssertOnlyError(Valid with { Name = new string('n', 201) }, "name", "200");
    }

    [Theory]
    [InlineData("sms")]
    [InlineData("pager")]
    public void An_unknown_type_is_refused_naming_the_types(string? type) =>
        AssertOnlyError(Valid with { Type = type }, "type", "webhook, telegram, slack, email");

    [Fact]
    public void A_telegram_channel_needs_a_bot_token_and_a_chat_id()
    {
        var telegram = new CreateChannelRequest("on-call", "telegram", null, null, "123456789:AAEexampleexampleexampleexample", "-1001234567890");
        Assert.Empty(Validate(telegram));
        Assert.Empty(Validate(telegram with { ChatId = "@ops_alerts" }));
        AssertOnlyError(telegram with { BotToken = "not-a-token" }, "bot_token", "BotFather");
        AssertOnlyError(telegram with { ChatId = null }, "chat_id", "required");
        AssertOnlyError(telegram with { Url = "https://example.net/" }, "url", "does not apply");
    }

    [Fact]
    public void A_slack_channel_needs_its_incoming_webhook_url_and_no_secret()
    {
        var slack = new CreateChannelRequest("ops", "slack", "https://hooks.slack.com/services/T0/B0/xyz", null);
        Assert.Empty(Validate(slack));
        AssertOnlyError(slack with { Url = null }, "url", "Slack");
        AssertOnlyError(slack with { Secret = "0123456789abcdef" }, "secret", "does not apply");
    }

    [Fact]
    public void An_email_channel_needs_addresses_and_smtp()
    {
        var email = new CreateChannelRequest("ops", "email", null, null, To: ["ops@example.net", "oncall@example.net"]);
        Assert.Empty(Validate(email));
        AssertOnlyError(email with { To = [] }, "to", "required");
        AssertOnlyError(email with { To = ["not an address"] }, "to", "not an e-mail address");
        AssertOnlyError(email with { To = Enumerable.Range(0, 21).Select(i => $"a{i}@example.net").ToList() }, "to", "20");
        Assert.Contains("Notifier__Smtp__Host", Assert.Single(Validate(email, smtp: false)["type"]));
    }

    [Fact]
    public void A_whsec_secret_must_be_base64()
    {
        Assert.Empty(Validate(Valid with { Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }));
        AssertOnlyError(Valid with { Secret = "whsec_not*base64*at*all!!" }, "secret", "base64");
    }

    [Fact]
    public void Url_with_a_user_name_or_password_is_refused() =>
        AssertOnlyError(Valid with { Url = "https://user:pass@hooks.example.net/x" }, "url", "user name");

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
        Assert.Empty(Validate(Valid with { Secret = new string('s', 16) }));
        AssertOnlyError(Valid with { Secret = new string('s', 15) }, "secret", "16");
    }

    [Fact]
    public void Every_invalid_field_is_named_at_once()
    {
        var errors = Validate(new CreateChannelRequest(null, "webhook", "nope", "short", BotToken: "x"));

        Assert.Equal(["bot_token", "name", "secret", "url"], errors.Keys.Order());
    }

    [Fact]
    public void Errors_never_echo_the_secret()
    {
        var errors = Validate(Valid with { Secret = "too-short-15chr" });

        Assert.DoesNotContain(errors.Values.SelectMany(v => v), m => m.Contains("too-short-15chr"));
    }

    [Fact]
    public void A_stored_channel_holds_its_secret_and_url_only_encrypted_and_shows_only_the_origin()
    {
        var secrets = new ChannelSecrets(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        var request = Valid with { Url = "https://hooks.example.net/T0/B0/secret-path-token" };
        var channel = secrets.Seal(Guid.CreateVersion7(), DateTimeOffset.UnixEpoch, ChannelDraft.From(request));

        var stored = System.Text.Json.JsonSerializer.Serialize(channel);
        Assert.DoesNotContain(Valid.Secret!, stored);
        Assert.DoesNotContain("secret-path-token", stored);
        Assert.Equal(Valid.Secret, secrets.Open(channel).Secret);
        Assert.Equal(request.Url, secrets.Open(channel).Url);
        Assert.Equal("https://hooks.example.net/…", channel.ToView(admin: true).Url);
        Assert.Null(channel.ToView(admin: false).Url);
        Assert.True(channel.ToView(admin: false).SecretSet);
        Assert.DoesNotContain(Valid.Secret!, channel.ToString());
    }

    private static void AssertOnlyError(CreateChannelRequest request, string field, string mentioning)
    {
        var errors = Validate(request);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Key);
        Assert.Contains(mentioning, Assert.Single(error.Value));
    }
}
