using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Ingest.Machines;

/// <summary>PATCH /api/machines/{id}: appends one <see cref="MachineSettingsChanged"/> holding the fields that were sent.</summary>
public static class ChangeSettings
{
    /// <summary>The same limits as registration, applied to the fields present; empty when the request is valid.</summary>
    public static Dictionary<string, string[]> Validate(ChangeMachineSettingsRequest r)
    {
        var errors = RegisterMachine.Validate(new RegisterMachineRequest(
            r.Name ?? "unchanged", r.Hostname, r.Description, r.Tags, r.OfflineThresholdSeconds, r.ExpectedIntervalSeconds, r.Probe,
            r.Schedule, r.Timezone, r.GraceSeconds, r.MaxDurationSeconds));
        if (r.Name is not null && string.IsNullOrWhiteSpace(r.Name)) errors["name"] = ["The name may not be empty."];
        if (r is { Name: null, Hostname: null, Description: null, Tags: null, OfflineThresholdSeconds: null, ExpectedIntervalSeconds: null, Probe: null,
                Schedule: null, Timezone: null, GraceSeconds: null, MaxDurationSeconds: null, DependsOn: null })
            errors["body"] = ["Nothing to change: send at least one of name, hostname, description, tags, offline_threshold_seconds, expected_interval_seconds, probe, schedule, max_duration_seconds, depends_on."];
        return errors;
    }

    /// <param name="probe">The request's probe as stored (its private key already encrypted), or null to keep the machine's probe.</param>
    /// <remarks>
    /// A schedule replaces the machine's schedule (or its interval); an expected interval or a probe sent without a
    /// schedule puts the machine back on an interval.
    /// </remarks>
    public static MachineSettingsChanged Decide(Guid id, ChangeMachineSettingsRequest r, DateTimeOffset now, ProbeSettings? probe = null) => new(
        id, r.Name?.Trim(), r.Hostname?.Trim(), r.Description, r.Tags?.Select(t => t.Trim()).ToArray(),
        Seconds(r.OfflineThresholdSeconds), Seconds(r.ExpectedIntervalSeconds), now, probe,
        ScheduleRegistration.Decide(r.Schedule, r.Timezone, r.GraceSeconds),
        ScheduleRemoved: r.Schedule is null && (r.ExpectedIntervalSeconds is not null || r.Probe is not null),
        MaxRunDuration: Seconds(r.MaxDurationSeconds),
        DependsOn: r.DependsOn);

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Handle(
        Guid id, HttpRequest request, IDocumentSession session, MachineDirectory directory, TimeProvider clock, IDataProtectionProvider protection, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<ChangeMachineSettingsRequest>(request);
        if (body.Problem is not null) return body.Problem;
        var errors = Validate(body.Value!);
        if (errors.Count == 0) errors = await RegisterMachine.CheckParentAsync(body.Value!.DependsOn, id, session, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: "The settings were not changed: see errors.");

        var machine = await session.LoadAsync<MachineState>(id, ct);
        if (machine is null || machine.Retired)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No machine {id}.");

        var probe = body.Value!.Probe is { } p ? ProbeRegistration.Decide(p, protection.PrivateKeyProtector()) : null;
        session.Events.Append(id, Decide(id, body.Value!, clock.GetUtcNow(), probe));
        await session.SaveChangesAsync(ct);
        directory.Forget(id); // the name in heartbeat answers
        return TypedResults.NoContent();
    }

    private static TimeSpan? Seconds(int? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;
}
