namespace Heartbeat.Ingest.Heartbeats;

/// <summary>
/// Text PostgreSQL can store: no NUL (jsonb and text refuse <c>\u0000</c>) and no unpaired UTF-16
/// surrogate (not encodable as UTF-8). Both are valid JSON escapes, so they pass the JSON reader and
/// must be refused here, before they reach a group commit.
/// </summary>
public static class StorableText
{
    public static bool IsStorable(string? text)
    {
        if (text is null) return true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
                return false;
            }
            if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    public static string Refusal(string field) =>
        $"The {field} may not contain NUL characters (\\u0000) or unpaired UTF-16 surrogates: they cannot be stored.";
}
