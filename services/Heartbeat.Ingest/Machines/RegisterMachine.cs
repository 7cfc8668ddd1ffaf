using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartbeat.Ingest.Machines;

public static class RegisterMachine
{
    public const int MaxThresholdSeconds = 7 * 24 * 3600;

    /// <summary>Field errors keyed by the wire (snake_case) name; empty when the request is valid.</summary>
    public static Dictionary<string, string[]> Validate(RegisterMachineRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(r.Name)) errors["name"] = ["A name is required."];
        else if (r.Name.Length > 200) errors["name"] = ["The name may be at most 200 characters."];
        if (r.Hostname is { Length: > 255 }) errors["hostname"] = ["The hostname may be at most 255 characters."];
        if (r.Description is { Length: > 2000 }) errors["description"] = ["The description may be at most 2000 characters."];
        if (r.Tags is { } tags && (tags.Count > 20 || tags.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 64)))
            errors["tags"] = ["At most 20 tags, each 1 to 64 characters."];
        if (r.OfflineThresholdSeconds is < 1 or > MaxThresholdSeconds)
            errors["offline_threshold_seconds"] = [$"The offline threshold must be between 1 and {MaxThresholdSeconds} seconds."];
        if (r.ExpectedIntervalSeconds is < 1 or > MaxThresholdSeconds)
            errors["expected_interval_seconds"] = [$"The expected interval must be between 1 and {MaxThresholdSeconds} seconds."];
        else if (r.ExpectedIntervalSeconds > r.OfflineThresholdSeconds)
            errors["expected_interval_seconds"] = ["The expected interval may not be longer than the offline threshold."];
        ProbeRegistration.Validate(r.Probe, errors);
        ScheduleRegistration.Validate(r, errors);
        if (r.Probe is { IntervalSeconds: { } probeInterval } && probeInterval > r.OfflineThresholdSeconds && !errors.ContainsKey("probe.interval_seconds"))
            errors["probe.interval_seconds"] = ["The probe interval may not be longer than the offline threshold."];
        return errors;
    }

    public static async Task<Results<Created<RegisteredMachine>, ValidationProblem, ProblemHttpResult>> Handle(
        HttpRequest request, IDocumentSession session, TimeProvider clock, IOptions<IngestOptions> options, IDataProtectionProvider protection, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<RegisterMachineRequest>(request);
        if (body.Problem is not null) return body.Problem;
        var r = body.Value!;
        var errors = Validate(r);
        if (errors.Count == 0) errors = await CheckParentAsync(r.DependsOn, null, session, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: "The machine was not registered: see errors.");

        var id = Guid.CreateVersion7();
        var token = MachineTokens.NewToken();
        var registered = new MachineRegistered(
            id, r.Name!.Trim(), r.Hostname?.Trim(), r.Description, r.Tags?.Select(t => t.Trim()).ToArray() ?? [],
            ToDuration(r.OfflineThresholdSeconds),
            // A probed machine is expected as often as it is probed (plus the probe's timeout), unless told otherwise.
            ToDuration(r.ExpectedIntervalSeconds) ?? (r.Probe is { } probe ? ProbeRegistration.ExpectedIntervalOf(probe) : null),
            MachineTokens.Hash(token), clock.GetUtcNow(),
            r.Probe is { } p ? ProbeRegistration.Decide(p, protection.PrivateKeyProtector()) : null,
            ScheduleRegistration.Decide(r.Schedule, r.Timezone, r.GraceSeconds),
            ToDuration(r.MaxDurationSeconds),
            r.DependsOn);
        session.Events.StartStream(id, registered);
        await session.SaveChangesAsync(ct);

        var heartbeatUrl = $"{options.Value.PublicUrl.TrimEnd('/')}/api/heartbeat/{id}";
        return TypedResults.Created($"/api/machines/{id}", new RegisteredMachine(id, registered.Name, token, heartbeatUrl));
    }

    /// <summary>
    /// <c>depends_on</c> names a registered machine other than this one (the notifier silences a machine's outage while
    /// its parent is offline); <see cref="Guid.Empty"/> (only in a PATCH) removes the parent.
    /// </summary>
    public static async Task<Dictionary<string, string[]>> CheckParentAsync(Guid? parent, Guid? self, IQuerySession session, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (parent is not { } id || (id == Guid.Empty && self is not null)) return errors;
        if (id == self) errors["depends_on"] = ["A machine cannot depend on itself."];
        else if (id == Guid.Empty || await session.LoadAsync<Heartbeat.ServiceDefaults.Machines.MachineState>(id, ct) is not { Retired: false })
            errors["depends_on"] = [$"depends_on must name a registered machine; there is no machine {id}."];
        return errors;
    }

    private static TimeSpan? ToDuration(int? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;
}
