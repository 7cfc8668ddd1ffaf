using Cronos;

namespace Heartbeat.Notifier.Quiet;

/// <summary>
/// A planned quiet period for some machines: once (<see cref="StartsAt"/> to <see cref="EndsAt"/>) or recurring
/// (a cron <see cref="Schedule"/> in <see cref="TimeZone"/>, each occurrence lasting <see cref="Duration"/>).
/// Recurring windows follow Cronos across daylight-saving changes: an occurrence in a skipped hour starts when
/// the clock jumps, one in a repeated hour starts once.
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

    public bool Covers(MachineFacts machine, DateTimeOffset at) => Machines.Matches(machine) && ActiveAt(at) is not null;
}
