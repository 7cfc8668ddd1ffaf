using System.Security.Cryptography;
using System.Text;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// Machine tokens: 256 random bits, shown once at registration, stored only as a SHA-256 digest.
/// A fast hash is enough here because the token is random, not a person's password.
/// </summary>
public static class MachineTokens
{
    public static string NewToken() => "hb_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool Matches(string? presented, string storedHash)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 256) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(presented)), Encoding.ASCII.GetBytes(storedHash));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
