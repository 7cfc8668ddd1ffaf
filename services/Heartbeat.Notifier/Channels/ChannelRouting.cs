using System.Globalization;
using System.Text.Json;
using Heartbeat.Notifier.Quiet;
using Heartbeat.ServiceDefaults;

namespace Heartbeat.Notifier.Channels;

/// <summary>
/// A channel's routing and reminder settings as the API takes them (<c>machines</c>, <c>events</c>,
/// <c>renotify_every</c>, <c>renotify_max</c>): their validation, shared by POST and PATCH, and their wire format.
/// </summary>
public static class ChannelRouting
{
    public const int MaxMachineIds = 1000;
    public const int MaxTags = 50;
    public const int MaxTagLength = 64;
    public const int DefaultRenotifyMax = 10;
    public const int MaxRenotifyMax = 1000;
    /// <summary>Short enough to test with; a channel that wants a reminder every second for ever cannot have one, since the count is bounded.</summary>
    public static readonly TimeSpan MinRenotifyEvery = TimeSpan.FromSeconds(1);

    public static void Validate(ChannelDraft draft, Dictionary<string, string[]> errors)
    {
        if (draft.Machines is { } machines)
        {
            if (machines.Ids is { Count: > 0 } && machines.Tags is { Count: > 0 })
                errors["machines"] = ["machines names either ids or tags, not both."];
            else if (machines.Ids is { Count: > MaxMachineIds })
                errors["machines"] = [$"machines.ids may name at most {MaxMachineIds} machines."];
            else if (machines.Ids?.Any(id => id == Guid.Empty) == true)
                errors["machines"] = ["machines.ids must be machine ids."];
            else if (machines.Tags is { Count: > MaxTags })
                errors["machines"] = [$"machines.tags may name at most {MaxTags} tags."];
            else if (machines.Tags?.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > MaxTagLength) == true)
                errors["machines"] = [$"machines.tags must be non-empty tags of at most {MaxTagLength} characters."];
        }

        if (draft.Events is { } events)
        {
            var known = string.Join(", ", NotificationEvents.All.Order());
            if (events.Count == 0)
                errors["events"] = [$"events must name at least one of {known} (leave it out for the default)."];
            else if (events.FirstOrDefault(e => !NotificationEvents.All.Contains(e)) is { } unknown)
                errors["events"] = [$"\"{unknown}\" is not an event: one of {known}."];
        }

        if (draft.RenotifyEvery is { } every)
        {
            if (!Durations.TryParse(every, out var interval))
                errors["renotify_every"] = ["renotify_every must be a duration like 30m, 1h or 1d."];
            else if (interval < MinRenotifyEvery)
                errors["renotify_every"] = [$"renotify_every must be at least {Format(MinRenotifyEvery)}."];
        }
        if (draft.RenotifyMax is { } max)
        {
            if (draft.RenotifyEvery is null)
                errors["renotify_max"] = ["renotify_max needs renotify_every."];
            else if (max < 1 || max > MaxRenotifyMax)
                errors["renotify_max"] = [$"renotify_max must be from 1 to {MaxRenotifyMax}."];
        }
    }

    /// <summary>A PATCH's <c>machines</c> object; unknown members are refused rather than ignored.</summary>
    public static MachineSelector ReadMachines(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new FormatException("machines must be an object: {\"ids\": [...]} or {\"tags\": [...]}.");
        List<Guid>? ids = null;
        List<string>? tags = null;
        foreach (var member in value.EnumerateObject())
        {
            if (member.Name == "ids") ids = member.Value.EnumerateArray().Select(e => e.GetGuid()).ToList();
            else if (member.Name == "tags") tags = member.Value.EnumerateArray().Select(e => e.GetString()?.Trim() ?? "").ToList();
            else throw new FormatException($"machines has ids or tags, not \"{member.Name}\".");
        }
        return new MachineSelector(ids, tags);
    }

    public static TimeSpan? ParseEvery(string? every) => Durations.TryParse(every, out var interval) ? interval : null;

    /// <summary>The largest whole unit: 90m → 90m, 2h → 2h, 45s → 45s.</summary>
    public static string Format(TimeSpan span) =>
        span.TotalDays is >= 1 and var d && d == Math.Floor(d) ? $"{d.ToString(CultureInfo.InvariantCulture)}d"
        : span.TotalHours is >= 1 and var h && h == Math.Floor(h) ? $"{h.ToString(CultureInfo.InvariantCulture)}h"
        : span.TotalMinutes is >= 1 and var m && m == Math.Floor(m) ? $"{m.ToString(CultureInfo.InvariantCulture)}m"
        : span.TotalSeconds == Math.Floor(span.TotalSeconds) ? $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
        : $"{span.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
}
