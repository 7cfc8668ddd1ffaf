using System.Globalization;
using System.Text.RegularExpressions;

namespace Heartbeat.Client;

/// <summary>Durations as the platform's configuration writes them: <c>30s</c>, <c>2m</c>, <c>500ms</c>, <c>1h</c>, <c>1d</c>, <c>00:00:30</c>, or a bare number of seconds.</summary>
/// <remarks>
/// The one parser of durations: public here for the agent, the CLI and other clients, and compiled into
/// Heartbeat.ServiceDefaults as well (a linked file, internal there, behind its <c>Durations</c>), so that the
/// services need not depend on this client nor the agent on ASP.NET, and a program referencing both sees one type.
/// </remarks>
#if HEARTBEAT_SERVICE_DEFAULTS
internal
#else
public
#endif
static partial class HeartbeatDurations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return seconds > 0;
        }
        var match = WithUnit().Match(text);
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

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$", RegexOptions.IgnoreCase)]
    private static partial Regex WithUnit();
}
