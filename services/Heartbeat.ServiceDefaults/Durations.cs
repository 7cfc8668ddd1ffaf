using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Heartbeat.ServiceDefaults;

/// <summary>Durations in configuration: either <c>00:02:00</c> or a number with a unit, <c>2m</c>, <c>30s</c>, <c>500ms</c>, <c>1h</c>, <c>1d</c>.</summary>
public static partial class Durations
{
    public static TimeSpan Parse(string text)
    {
        if (TryParse(text, out var value)) return value;
        throw new FormatException($"'{text}' is not a duration: use 00:02:00 or a number with a unit (500ms, 30s, 2m, 1h, 1d).");
    }

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var match = WithUnit().Match(text.Trim());
        if (match.Success)
        {
            var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            value = match.Groups[2].Value.ToLowerInvariant() switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                _ => TimeSpan.FromDays(number),
            };
            return value > TimeSpan.Zero;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value > TimeSpan.Zero;
    }

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

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$", RegexOptions.IgnoreCase)]
    private static partial Regex WithUnit();
}
