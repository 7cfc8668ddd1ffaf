using System.Security.Cryptography;
using System.Text;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// <c>X-Webhook-Signature: sha256=&lt;lowercase hex HMAC-SHA256 of the raw body with the channel secret&gt;</c>.
/// Receivers recompute it over the bytes they received, so sign exactly the bytes that are sent.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Webhook-Signature";
    public const string Prefix = "sha256=";

    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
