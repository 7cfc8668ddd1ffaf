using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.ServiceDefaults.Machines;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// The <c>schedule</c>, <c>timezone</c>, <c>grace_seconds</c> and <c>max_duration_seconds</c> of a registration or
/// settings change: a job expected at every occurrence of a cron expression in a time zone (Cronos), instead of an interval.
/// </summary>
public static class ScheduleRegistration
{
    public const string DefaultTimeZone = "UTC";

    public static void Validate(RegisterMachineRequest r, Dictionary<string, string[]> errors)
    {
        if (r.Schedule is null)
        {
            if (r.Timezone is not null || r.GraceSeconds is not null)
                errors["schedule"] = ["timezone and grace_seconds apply to a schedule: send them with \"schedule\"."];
        }
        else
        {
            if (CronSchedules.ExpressionProblem(r.Schedule) is { } problem) errors["schedule"] = [problem];
            else if (r.ExpectedIntervalSeconds is not null)
                errors["schedule"] = ["A machine is expected either on a schedule or every expected_interval_seconds, not both."];
            else if (r.Probe is not null)
                errors["schedule"] = ["A probed machine is expected every probe interval; it cannot also have a schedule."];
            if (r.Timezone is not null && CronSchedules.TimeZoneProblem(r.Timezone) is { } zone) errors["timezone"] = [zone];
        }
        if (r.GraceSeconds is < 1 or > RegisterMachine.MaxThresholdSeconds)
            errors["grace_seconds"] = [$"The grace must be between 1 and {RegisterMachine.MaxThresholdSeconds} seconds."];
        if (r.MaxDurationSeconds is < 1 or > RegisterMachine.MaxThresholdSeconds)
            errors["max_duration_seconds"] = [$"The longest run must be between 1 and {RegisterMachine.MaxThresholdSeconds} seconds."];
    }

    /// <summary>The schedule a valid request asks for; the time zone defaults to UTC, the grace to the offline threshold.</summary>
    public static CronSchedule? Decide(string? schedule, string? timeZone, int? graceSeconds) => schedule is null
        ? null
        : new CronSchedule(schedule.Trim(), timeZone?.Trim() ?? DefaultTimeZone, graceSeconds is { } g ? TimeSpan.FromSeconds(g) : null);
}
