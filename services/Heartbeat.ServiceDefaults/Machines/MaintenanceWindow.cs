using Cronos;

using Npgsql;

namespace Heartbeat.ServiceDefaults.Machines;

/// <summary>Which machines something applies to: all (nothing named), by id, or by tag (any of them).</summary>
public sealed record MachineSelector(IReadOnlyList<Guid>? Ids = null, IReadOnlyList<string>? Tags = null)
{
    public static readonly MachineSelector All = new();

    public bool IsAll => Ids is not { Count: > 0 } && Tags is not { Count: > 0 };

    public bool Matches(Guid id, IReadOnlyList<string> tags) =>
        IsAll
        || Ids?.Contains(id) == true
        || Tags?.Any(t => tags.Contains(t, StringComparer.OrdinalIgnoreCase)) == true;
}

/// <summary>
/// A planned quiet period for some machines: once (<see cref="StartsAt"/> to <see cref="EndsAt"/>) or recurring
/// (a cron <see cref="Schedule"/> in <see cref="TimeZone"/>, each occurrence lasting <see cref="Duration"/>).
/// Recurring windows follow Cronos across daylight-saving changes: an occurrence in a skipped hour starts when
/// the clock jumps, one in a repeated hour starts once. The notifier owns them (it silences what they cover); the
/// detector reads them to show which machines are in maintenance.
/// </summary>
public sealed record MaintenanceWindow(
    Guid Id,
    MachineSelector Machines,
    DateTimeOffset? StartsAt = null,
    DateTimeOffset? EndsAt = null,
    string? Schedule = null,
    string? TimeZone = null,
    TimeSpan? Duration = null)
{
    public bool IsRecurring => Schedule is not null;

    /// <summary>The occurrence of this window that contains <paramref name="at"/> (start inclusive, end exclusive), if any.</summary>
    public (DateTimeOffset Start, DateTimeOffset End)? ActiveAt(DateTimeOffset at)
    {
        if (!IsRecurring)
            return StartsAt is { } start && EndsAt is { } end && start <= at && at < end ? (start, end) : null;

        var duration = Duration ?? TimeSpan.Zero;
        if (duration <= TimeSpan.Zero) return null;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone ?? "UTC");
        // The latest occurrence that started within one duration before the instant is the only candidate.
        var latest = CronExpression.Parse(Schedule!)
            .GetOccurrences(at - duration, at, zone, fromInclusive: false, toInclusive: true)
            .LastOrDefault();
        return latest == default ? null : (latest, latest + duration);
    }

    public bool Covers(Guid machineId, IReadOnlyList<string> tags, DateTimeOffset at) => Machines.Matches(machineId, tags) && ActiveAt(at) is not null;

    /// <summary>When the maintenance of a machine ends, if a window covers it at <paramref name="at"/> (the latest end of those that do).</summary>
    public static DateTimeOffset? MaintenanceUntil(IEnumerable<MaintenanceWindow> windows, Guid machineId, IReadOnlyList<string> tags, DateTimeOffset at) =>
        windows.Where(w => w.Machines.Matches(machineId, tags)).Select(w => w.ActiveAt(at)?.End).Max();
}

/// <summary>The rows of <c>notifier.maintenance_windows</c> (created by the notifier with its delivery tables).</summary>
public static class MaintenanceWindowRows
{
    public const string Columns = "id, machine_ids, machine_tags, starts_at, ends_at, schedule, time_zone, duration, created_at";

    public static async Task<List<MaintenanceWindow>> ListAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"select {Columns} from notifier.maintenance_windows order by created_at, id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<MaintenanceWindow>();
        while (await reader.ReadAsync(ct)) list.Add(Read(reader));
        return list;
    }

    public static MaintenanceWindow Read(NpgsqlDataReader r) => new(
        r.GetGuid(0),
        new MachineSelector(r.IsDBNull(1) ? null : r.GetFieldValue<Guid[]>(1), r.IsDBNull(2) ? null : r.GetFieldValue<string[]>(2)),
        r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3),
        r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6),
        r.IsDBNull(7) ? null : r.GetFieldValue<TimeSpan>(7));
}
