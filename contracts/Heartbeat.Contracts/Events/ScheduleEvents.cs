namespace Heartbeat.Contracts.Events;

// Jobs that run at set times, and the runs of jobs that say when they start.

/// <summary>
/// A cron schedule (five fields, or a macro such as <c>@hourly</c>) in an IANA time zone: the machine is expected
/// at every occurrence, and is offline once an expected run plus <see cref="Grace"/> passes without a heartbeat.
/// <see cref="Grace"/> null means the machine's offline threshold.
/// </summary>
public sealed record CronSchedule(string Expression, string TimeZone, TimeSpan? Grace = null);

/// <summary>
/// Appended by the detector when a started run ends: the next heartbeat after a start (success), or a failure
/// report (<c>/fail</c>, a non-zero exit code). <paramref name="ExitCode"/> as reported, when it was.
/// </summary>
public sealed record RunFinished(
    Guid MachineId,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    TimeSpan Duration,
    bool Failed,
    int? ExitCode = null,
    string? RunId = null);
