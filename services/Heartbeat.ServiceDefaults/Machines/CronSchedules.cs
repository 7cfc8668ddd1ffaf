using System.Collections.Concurrent;
using Cronos;
using Heartbeat.Contracts.Events;

namespace Heartbeat.ServiceDefaults.Machines;

/// <summary>
/// A <see cref="CronSchedule"/>'s occurrences through Cronos. Ingest validates with it, the detector computes deadlines
/// and the next expected run with it. Daylight-saving changes behave as Cronos documents: an occurrence that falls in
/// the hour skipped in spring runs at the first instant after the gap; one in the hour repeated in autumn runs once,
/// at its first instance (expressions that repeat within the hour, such as <c>*/15 * * * *</c>, run in both).
/// </summary>
public static class CronSchedules
{
    // Deadlines are computed on every heartbeat of a scheduled machine; parsing once per distinct schedule keeps that cheap.
    private static readonly ConcurrentDictionary<(string Expression, string TimeZone), (CronExpression Cron, TimeZoneInfo Zone)> Parsed = new();

    /// <summary>Why the expression cannot be used, or null when it can.</summary>
    public static string? ExpressionProblem(string? expression) =>
        string.IsNullOrWhiteSpace(expression) || expression.Length > 100 || !CronExpression.TryParse(expression.Trim(), CronFormat.Standard, out _)
            ? "The schedule must be a cron expression of five fields (minute hour day-of-month month day-of-week), e.g. \"0 3 * * *\", or a macro such as @hourly."
            : null;

    /// <summary>Why the time zone cannot be used, or null when it can (an IANA id such as Europe/Berlin, or UTC).</summary>
    public static string? TimeZoneProblem(string? timeZone) =>
        string.IsNullOrWhiteSpace(timeZone) || timeZone.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out _)
            ? "The timezone must be an IANA time zone id such as Europe/Berlin or UTC."
            : null;

    /// <summary>The first occurrence strictly after <paramref name="after"/>; null when the expression never occurs again (e.g. 30 February).</summary>
    public static DateTimeOffset? NextRun(CronSchedule schedule, DateTimeOffset after)
    {
        var (cron, zone) = Parsed.GetOrAdd((schedule.Expression, schedule.TimeZone),
            key => (CronExpression.Parse(key.Expression, CronFormat.Standard), TimeZoneInfo.FindSystemTimeZoneById(key.TimeZone)));
        return cron.GetNextOccurrence(after, zone)?.ToUniversalTime();
    }
}
