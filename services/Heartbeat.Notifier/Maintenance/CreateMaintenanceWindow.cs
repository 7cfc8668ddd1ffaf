using Cronos;
using Heartbeat.Contracts.Http;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Quiet;
using Heartbeat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Notifier.Maintenance;

/// <summary>POST /api/maintenance: a one-off window (<c>starts_at</c>, <c>ends_at</c>) or a recurring one (<c>schedule</c>, <c>timezone</c>, <c>duration</c>).</summary>
public static class CreateMaintenanceWindow
{
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(366);
    public static readonly TimeSpan MaxOccurrence = TimeSpan.FromDays(7);

    /// <summary>The window, or the errors keyed by the field's wire name.</summary>
    public static (MaintenanceWindow? Window, Dictionary<string, string[]> Errors) Validate(CreateMaintenanceWindowRequest r, Guid id, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        MachineSelector? machines = null;
        if (r.Machines is not { } m || (m.Ids is not { Count: > 0 } && m.Tags is not { Count: > 0 }))
            errors["machines"] = ["machines is required: {\"ids\": [...]} or {\"tags\": [...]}."];
        else
        {
            machines = new MachineSelector(m.Ids?.Distinct().ToList(), m.Tags?.Select(t => t?.Trim() ?? "").Distinct(StringComparer.OrdinalIgnoreCase).ToList());
            ChannelRouting.Validate(new ChannelDraft("", "", null, null, null, null, null, null, machines), errors);
        }

        var recurring = r.Schedule is not null || r.Duration is not null || r.Timezone is not null;
        var once = r.StartsAt is not null || r.EndsAt is not null;
        if (recurring && once)
        {
            errors["schedule"] = ["a window is either once (starts_at, ends_at) or recurring (schedule, timezone, duration), not both."];
            return (null, errors);
        }
        if (!recurring)
        {
            if (r.StartsAt is null) errors["starts_at"] = ["starts_at is required (or a recurring schedule)."];
            if (r.EndsAt is null) errors["ends_at"] = ["ends_at is required (or a recurring schedule)."];
            else if (r.StartsAt is { } start && r.EndsAt <= start) errors["ends_at"] = ["ends_at must be after starts_at."];
            else if (r.EndsAt <= now) errors["ends_at"] = ["ends_at is in the past: the window would never apply."];
            else if (r.StartsAt is { } s && r.EndsAt - s > MaxLength) errors["ends_at"] = [$"a window lasts at most {MaxLength.TotalDays:0} days."];
            return errors.Count > 0 ? (null, errors) : (new MaintenanceWindow(id, machines!, r.StartsAt!.Value.ToUniversalTime(), r.EndsAt!.Value.ToUniversalTime()), errors);
        }

        if (string.IsNullOrWhiteSpace(r.Schedule)) errors["schedule"] = ["schedule is required: a cron expression of 5 fields, e.g. \"0 2 * * 0\"."];
        else
        {
            try { CronExpression.Parse(r.Schedule.Trim()); }
            catch (CronFormatException e) { errors["schedule"] = [$"schedule is not a cron expression of 5 fields: {e.Message}"]; }
        }
        var zone = string.IsNullOrWhiteSpace(r.Timezone) ? "UTC" : r.Timezone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)) errors["timezone"] = [$"timezone \"{zone}\" is not known: use an IANA name like Europe/Berlin."];
        if (!Durations.TryParse(r.Duration, out var duration)) errors["duration"] = ["duration is required: how long each occurrence lasts, e.g. 2h."];
        else if (duration > MaxOccurrence) errors["duration"] = [$"duration is at most {MaxOccurrence.TotalDays:0} days."];
        return errors.Count > 0 ? (null, errors)
            : (new MaintenanceWindow(id, machines!, Schedule: r.Schedule!.Trim(), TimeZone: zone, Duration: duration), errors);
    }

    public static async Task<Results<Created<MaintenanceWindowView>, ValidationProblem, ProblemHttpResult>> Handle(
        HttpRequest http, MaintenanceWindows windows, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<CreateMaintenanceWindowRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var now = time.GetUtcNow();
        var (window, errors) = Validate(body.Value!, Guid.CreateVersion7(), now);
        if (window is null)
            return TypedResults.ValidationProblem(errors, detail: "The maintenance window is not valid: " + string.Join(" ", errors.Values.SelectMany(v => v)));
        await windows.InsertAsync(window, now, ct);
        return TypedResults.Created($"/api/maintenance/{window.Id}", MaintenanceApi.View(window, now));
    }
}
