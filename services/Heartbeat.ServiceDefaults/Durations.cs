using Heartbeat.Client;
using Microsoft.Extensions.Configuration;

namespace Heartbeat.ServiceDefaults;

/// <summary>Durations in configuration: <c>00:02:00</c>, a number with a unit (<c>2m</c>, <c>30s</c>, <c>500ms</c>, <c>1h</c>, <c>1d</c>) or a number of seconds.</summary>
public static class Durations
{
    public static TimeSpan Parse(string text)
    {
        if (TryParse(text, out var value)) return value;
        throw new FormatException($"'{text}' is not a duration: use 00:02:00 or a number with a unit (500ms, 30s, 2m, 1h, 1d).");
    }

    /// <summary>As the agent and the CLI read durations (one parser, linked from Heartbeat.Client); a bare number is seconds.</summary>
    public static bool TryParse(string? text, out TimeSpan value) => HeartbeatDurations.TryParse(text, out value);

    /// <summary>Reads the first of <paramref name="keys"/> that is set; a set but unreadable value fails start-up.</summary>
    public static TimeSpan Read(IConfiguration configuration, TimeSpan fallback, params string[] keys)
    {
        foreach (var key in keys)
        {
            var text = configuration[key];
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (TryParse(text, out var value)) return value;
            throw new InvalidOperationException($"Configuration '{key}' = '{text}' is not a positive duration: use 00:02:00 or 500ms, 30s, 2m, 1h, 1d.");
        }
        return fallback;
    }
}
