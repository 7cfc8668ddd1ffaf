using System.Security.Cryptography;
using System.Text;

namespace Heartbeat.Notifier.Senders;

/// <summary>
/// Two signatures over exactly the bytes sent:
/// <c>X-Webhook-Signature: sha256=&lt;lowercase hex HMAC-SHA256 of the raw body, keyed with the secret's UTF-8 bytes&gt;</c>
/// (unchanged from the first version), and the Standard Webhooks
/// <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}"&gt;</c>, keyed with the
/// base64-decoded part after <c>whsec_</c> when the secret is a Standard Webhooks secret (<c>whsec_…</c>), else with the
/// secret's UTF-8 bytes.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Webhook-Signature";
    public const string Prefix = "sha256=";
    public const string StandardIdHeader = "webhook-id";
    public const string StandardTimestampHeader = "webhook-timestamp";
    public const string StandardSignatureHeader = "webhook-signature";
    public const string StandardSecretPrefix = "whsec_";

    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static string SignStandard(string webhookId, long timestamp, ReadOnlySpan<byte> body, string secret)
    {
        var key = secret.StartsWith(StandardSecretPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(secret[StandardSecretPrefix.Length..])
            : Encoding.UTF8.GetBytes(secret);
        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }
}
