using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Machines;
using Heartbeat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Ingest.Heartbeats;

public static class ReceiveHeartbeat
{
    public const int MaxMetrics = 32;

    /// <summary>Field errors keyed by wire name; the reported status is returned when valid.</summary>
    public static Dictionary<string, string[]> Validate(HeartbeatRequest r, out ReportedStatus status)
    {
        var errors = new Dictionary<string, string[]>();
        status = ReportedStatus.Ok;
        switch (r.Status?.ToLowerInvariant())
        {
            case null or "ok": break;
            case "warning": status = ReportedStatus.Warning; break;
            default: errors["status"] = ["The status must be \"ok\" or \"warning\"."]; break;
        }
        if (r.AgentVersion is { Length: > 64 }) errors["agent_version"] = ["The agent version may be at most 64 characters."];
        if (r.Message is { Length: > 1024 }) errors["message"] = ["The message may be at most 1024 characters."];
        if (r.Metrics is { } metrics && (metrics.Count > MaxMetrics || metrics.Any(m => m.Key.Length is 0 or > 64 || !double.IsFinite(m.Value))))
            errors["metrics"] = [$"At most {MaxMetrics} metrics, names 1 to 64 characters, finite numbers."];
        return errors;
    }

    /// <summary>
    /// Answers only after the heartbeat is committed. A missing, wrong or unknown machine all get the
    /// same 401, so an unauthenticated caller learns nothing about which machine ids exist.
    /// </summary>
    public static async Task<Results<Ok<HeartbeatAccepted>, ValidationProblem, ProblemHttpResult>> Handle(
        string machineId, HttpRequest request, MachineDirectory directory, HeartbeatWriter writer, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(machineId, out var id))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["machine_id"] = ["The machine id must be a UUID."] },
                detail: "The heartbeat was not recorded: the machine id in the URL is not a UUID.");

        var machine = await directory.FindAsync(id, ct);
        if (machine is null || machine.Retired || !MachineTokens.Matches(ApiKeys.BearerOf(request), machine.TokenHash))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "Missing or invalid machine token for this machine id: send Authorization: Bearer <machine token>.");
        }

        var body = await JsonBody.ReadAsync<HeartbeatRequest>(request, optional: true);
        if (body.Problem is not null) return body.Problem;
        var heartbeat = body.Value ?? new HeartbeatRequest();
        var errors = Validate(heartbeat, out var status);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: "The heartbeat was not recorded: see errors.");

        var received = new HeartbeatReceived(id, clock.GetUtcNow(), HeartbeatSource.Agent, heartbeat.AgentVersion, status, heartbeat.Message, heartbeat.Metrics);
        try
        {
            await writer.AppendAsync(received, ct);
        }
        catch (HeartbeatNotStoredException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not stored", detail: e.Message);
        }
        return TypedResults.Ok(new HeartbeatAccepted("ok", id, machine.Name, true, received.ReceivedAt));
    }
}
