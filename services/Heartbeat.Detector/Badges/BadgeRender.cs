using System.Globalization;
using System.Net;

namespace Heartbeat.Detector.Badges;

/// <summary>What a badge says for the statuses of its machines, as an SVG image or a shields.io endpoint body.</summary>
public static class BadgeRender
{
    /// <summary><see cref="Color"/> is the SVG fill, <see cref="ShieldsColor"/> shields.io's name for it.</summary>
    public sealed record Reading(string Label, string Message, string Color, string ShieldsColor);

    /// <summary>Down if any machine is offline, else late if any is late, else up; paused alone is paused.</summary>
    public static Reading Read(string label, IReadOnlyCollection<string> statuses)
    {
        var offline = statuses.Count(s => s == "offline");
        if (statuses.Count == 0) return new(label, "no machines", "#9f9f9f", "lightgrey");
        if (offline > 0) return new(label, statuses.Count == 1 ? "down" : $"{offline} of {statuses.Count} down", "#e05d44", "red");
        if (statuses.Any(s => s == "late")) return new(label, "late", "#dfb317", "yellow");
        if (statuses.All(s => s == "paused")) return new(label, "paused", "#9f9f9f", "lightgrey");
        if (statuses.All(s => s is "new" or "paused")) return new(label, "waiting", "#9f9f9f", "lightgrey");
        return new(label, "up", "#4c1", "brightgreen");
    }

    /// <summary>shields.io's endpoint badge schema (https://shields.io/badges/endpoint-badge).</summary>
    public static Dictionary<string, object> Shields(Reading r) => new()
    {
        ["schemaVersion"] = 1, ["label"] = r.Label, ["message"] = r.Message, ["color"] = r.ShieldsColor,
    };

    /// <summary>A flat badge in the usual two halves; text widths estimated for 11 px Verdana.</summary>
    public static string Svg(Reading r)
    {
        static int Width(string text) => 10 + (int)Math.Ceiling(text.Length * 6.6);
        var (lw, mw) = (Width(r.Label), Width(r.Message));
        var (label, message) = (WebUtility.HtmlEncode(r.Label), WebUtility.HtmlEncode(r.Message));
        string N(double v) => v.ToString(CultureInfo.InvariantCulture);
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{lw + mw}" height="20" role="img" aria-label="{label}: {message}">
            <title>{label}: {message}</title>
            <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
            <clipPath id="r"><rect width="{lw + mw}" height="20" rx="3" fill="#fff"/></clipPath>
            <g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{mw}" height="20" fill="{r.Color}"/><rect width="{lw + mw}" height="20" fill="url(#s)"/></g>
            <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
            <text x="{N(lw / 2.0)}" y="14">{label}</text><text x="{N(lw + mw / 2.0)}" y="14">{message}</text>
            </g>
            </svg>
            """;
    }
}
