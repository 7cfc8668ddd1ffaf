using System.Globalization;
using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Machines;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Ingest.Heartbeats;

/// <summary>
/// A job's run signals with the machine token: <c>POST /api/heartbeat/{id}/start</c>, <c>/fail</c> and
/// <c>/exit/{code}</c>. Each is one heartbeat carrying a <see cref="HeartbeatRun"/>, through the same authentication,
/// rate limit, body and group commit as a plain heartbeat; the detector turns them into runs and outages.
/// </summary>
public static class ReceiveRunSignal
{
    /// <summary>Exit statuses as a shell reports them.</summary>
    public const int MaxExitCode = 255;

    public static Task<Results<Ok<HeartbeatAccepted>, ValidationProblem, ProblemHttpResult>> Start(
        string machineId, HttpRequest request, MachineDirectory directory, HeartbeatWriter writer, HeartbeatRateLimits limits, TimeProvider clock, CancellationToken ct) =>
        ReceiveHeartbeat.HandleAsync(machineId, request, directory, writer, limits, clock, new HeartbeatRun(RunSignal.Started), ct);

    public static Task<Results<Ok<HeartbeatAccepted>, ValidationProblem, ProblemHttpResult>> Fail(
        string machineId, HttpRequest request, MachineDirectory directory, HeartbeatWriter writer, HeartbeatRateLimits limits, TimeProvider clock, CancellationToken ct) =>
        ReceiveHeartbeat.HandleAsync(machineId, request, directory, writer, limits, clock, new HeartbeatRun(RunSignal.Failed), ct);

    /// <summary>Exit code 0 is a success (a heartbeat that ends the run); any other is a failed run.</summary>
    public static async Task<Results<Ok<HeartbeatAccepted>, ValidationProblem, ProblemHttpResult>> Exit(
        string machineId, string code, HttpRequest request, MachineDirectory directory, HeartbeatWriter writer, HeartbeatRateLimits limits, TimeProvider clock, CancellationToken ct)
    {
        if (ExitCodeOf(code) is not { } exitCode)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = [$"The exit code must be a whole number from 0 to {MaxExitCode}."] },
                detail: "The exit status was not recorded: the code in the URL is not an exit code.");
        return await ReceiveHeartbeat.HandleAsync(machineId, request, directory, writer, limits, clock, new HeartbeatRun(RunSignal.Exited, exitCode), ct);
    }

    public static int? ExitCodeOf(string code) =>
        code.Length <= 3 && int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= MaxExitCode ? value : null;
}
