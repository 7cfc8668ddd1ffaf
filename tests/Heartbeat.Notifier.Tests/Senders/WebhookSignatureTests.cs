using System.Security.Cryptography;
using System.Text;
using Heartbeat.Notifier.Senders;

namespace Heartbeat.Notifier.Tests.Senders;

public class WebhookSignatureTests
{
    private const string Secret = "a-channel-secret-of-32-characters";

    [Fact]
    public void Signs_the_raw_body_with_the_channel_secret()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"machine.offline","machine":{"id":"x"}}""");

        var expected = "sha256=" + Convert.ToHexStringLower(new HMACSHA256(Encoding.UTF8.GetBytes(Secret)).ComputeHash(body));

        Assert.Equal(expected, WebhookSignature.Sign(body, Secret));
    }

    [Fact]
    public void Matches_the_signature_openssl_computes()
    {
        // printf '%s' '{"event":"machine.offline"}' | openssl dgst -sha256 -hmac 'a-channel-secret-of-32-characters'
        var body = Encoding.UTF8.GetBytes("""{"event":"machine.offline"}""");

        Assert.Equal("sha256=63c91d2955767f67d6a0b93168e39fc36275d899b27cc67f07580728fbe05bd9", WebhookSignature.Sign(body, Secret));
    }

    [Fact]
    public void Is_lowercase_hex_after_the_sha256_prefix()
    {
        var signature = WebhookSignature.Sign("{}"u8, Secret);

        Assert.Matches("^sha256=[0-9a-f]{64}$", signature);
    }

    [Fact]
    public void Differs_when_one_byte_of_the_body_differs()
    {
        Assert.NotEqual(WebhookSignature.Sign("""{"a":1}"""u8, Secret), WebhookSignature.Sign("""{"a":2}"""u8, Secret));
    }

    [Fact]
    public void Differs_between_channels_with_different_secrets()
    {
        Assert.NotEqual(WebhookSignature.Sign("{}"u8, Secret), WebhookSignature.Sign("{}"u8, Secret + "-other"));
    }

    [Fact]
    public void Standard_webhooks_signature_is_v1_base64_hmac_over_id_timestamp_and_body()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"machine.offline"}""");
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes("msg_1.1700000000." + """{"event":"machine.offline"}""")));

        Assert.Equal(expected, WebhookSignature.SignStandard("msg_1", 1700000000, body, Secret));
    }

    [Fact]
    public void A_whsec_secret_is_used_as_its_base64_decoded_key_as_standard_webhooks_libraries_expect()
    {
        // The example of the Standard Webhooks specification's reference implementations.
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookSignature.SignStandard("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, secret));
    }
}
