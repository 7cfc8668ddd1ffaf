using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Detector.Status;

/// <summary>
/// <c>GET /api/machines</c>: filter by status, tag and search text, sort (problems first by default), and page with
/// an opaque cursor that names the last row's sort key, so a page stays stable while machines change status.
/// Pure: it reads the board's current views and nothing else.
/// </summary>
public static class MachineQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;
    public static readonly string[] Statuses = ["offline", "warning", "late", "new", "online", "paused"];
    public static readonly string[] Sorts = ["problems", "name", "last_seen"];

    public sealed record Filter(IReadOnlySet<string>? Statuses, string? Tag, string? Search, string Sort, Key? After, int Limit);

    /// <summary>A row's position in a sort: its problem rank, name, last seen and id (the tie-breaker).</summary>
    public readonly record struct Key(int Rank, string Name, long LastSeenTicks, Guid Id);

    /// <summary>Problems first: offline, warning, late, then new, online, paused.</summary>
    public static int Rank(string status) => Array.IndexOf(Statuses, status) is var i and >= 0 ? i : Statuses.Length;

    public static Key KeyOf(MachineView m) => new(Rank(m.Status), m.Name, m.LastSeen?.UtcTicks ?? 0, m.Id);

    /// <summary>Reads the query string; field errors keyed by parameter name when it is not valid.</summary>
    public static (Filter? Filter, Dictionary<string, string[]> Errors) Parse(string? status, string? tag, string? q, string? sort, string? cursor, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        HashSet<string>? statuses = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            statuses = status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToHashSet();
            if (statuses.Except(Statuses).ToList() is { Count: > 0 } unknown)
                errors["status"] = [$"Unknown status {string.Join(", ", unknown)}; use {string.Join(", ", Statuses)} (comma-separated)."];
        }
        sort = string.IsNullOrWhiteSpace(sort) ? "problems" : sort.Trim().ToLowerInvariant();
        if (!Sorts.Contains(sort)) errors["sort"] = [$"Sort by {string.Join(", ", Sorts)}."];
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"The limit must be between 1 and {MaxLimit}."];
        Key? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            after = DecodeCursor(cursor, sort);
            if (after is null) errors["cursor"] = ["The cursor is not one this API returned for this sort; start again without it."];
        }
        if (q is { Length: > 200 }) errors["q"] = ["The search text may be at most 200 characters."];
        if (errors.Count > 0) return (null, errors);
        return (new Filter(statuses, NullIfBlank(tag), NullIfBlank(q), sort, after, limit ?? DefaultLimit), errors);
    }

    public static MachinePage Page(IReadOnlyList<MachineView> machines, Filter filter)
    {
        var counts = Statuses.ToDictionary(s => s, _ => 0);
        var matching = new List<MachineView>();
        foreach (var m in machines)
        {
            if (filter.Tag is { } tag && !m.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)) continue;
            if (filter.Search is { } text && !m.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
                && m.Hostname?.Contains(text, StringComparison.OrdinalIgnoreCase) != true) continue;
            counts[m.Status] = counts.GetValueOrDefault(m.Status) + 1;
            if (filter.Statuses is { } statuses && !statuses.Contains(m.Status)) continue;
            matching.Add(m);
        }

        var compare = Comparer(filter.Sort);
        var keys = matching.Select(KeyOf).ToArray();
        var rows = matching.ToArray();
        Array.Sort(keys, rows, Comparer<Key>.Create(compare));
        var start = 0;
        if (filter.After is { } after)
        {
            // The first row after the cursor's key; the cursor's own row may have moved or gone.
            var i = Array.BinarySearch(keys, after, Comparer<Key>.Create(compare));
            start = i >= 0 ? i + 1 : ~i;
        }
        var page = rows.Skip(start).Take(filter.Limit).ToList();
        var next = start + page.Count < rows.Length ? EncodeCursor(keys[start + page.Count - 1], filter.Sort) : null;
        return new MachinePage(page, rows.Length, counts, next);
    }

    public static Comparison<Key> Comparer(string sort) => sort switch
    {
        "name" => (a, b) => Chain(string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase), a.Id.CompareTo(b.Id)),
        // Most recently seen first; never seen last.
        "last_seen" => (a, b) => Chain(b.LastSeenTicks.CompareTo(a.LastSeenTicks), a.Id.CompareTo(b.Id)),
        _ => (a, b) => Chain(a.Rank.CompareTo(b.Rank), Chain(string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase), a.Id.CompareTo(b.Id))),
    };

    private static int Chain(int first, int then) => first != 0 ? first : then;

    public static string EncodeCursor(Key key, string sort) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('\n', sort, key.Rank.ToString(CultureInfo.InvariantCulture),
            key.LastSeenTicks.ToString(CultureInfo.InvariantCulture), key.Id.ToString("N"), key.Name)));

    public static Key? DecodeCursor(string cursor, string sort)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('\n', 5);
            if (parts.Length != 5 || parts[0] != sort) return null;
            if (!int.TryParse(parts[1], CultureInfo.InvariantCulture, out var rank) || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var ticks)
                || !Guid.TryParseExact(parts[3], "N", out var id)) return null;
            return new Key(rank, parts[4], ticks, id);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
