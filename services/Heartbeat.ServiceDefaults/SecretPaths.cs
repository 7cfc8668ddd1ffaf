namespace Heartbeat.ServiceDefaults;

/// <summary>
/// Ping URLs carry their secret in the path (clients that cannot send headers). Wherever a path is recorded
/// (spans, logs) the segment holding the key is masked.
/// </summary>
public static class SecretPaths
{
    private static readonly string[] KeyedPrefixes = ["/ping/", "/api/push/", "/api/alertmanager/"];

    public const string Mask = "***";

    public static string Redact(string path)
    {
        foreach (var prefix in KeyedPrefixes)
        {
            if (!path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            var end = path.IndexOfAny(['/', '?'], prefix.Length);
            return prefix + Mask + (end < 0 ? "" : path[end..]);
        }
        return path;
    }

    public static string Redact(Uri uri) =>
        uri.IsAbsoluteUri ? $"{uri.Scheme}://{uri.Authority}{Redact(uri.AbsolutePath)}" : Redact(uri.OriginalString);
}
