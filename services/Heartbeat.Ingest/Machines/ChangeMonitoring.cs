using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Events;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Ingest.Machines;

/// <summary>Pause, resume and retire: each appends one event to the machine's stream, or nothing when it would change nothing.</summary>
public static class ChangeMonitoring
{
    public static Task<Results<NoContent, ProblemHttpResult>> Pause(Guid id, IDocumentSession session, MachineDirectory directory, TimeProvider clock, CancellationToken ct) =>
        Change(id, session, directory, ct, c => c.Paused ? null : new MonitoringPaused(id, clock.GetUtcNow()));

    public static Task<Results<NoContent, ProblemHttpResult>> Resume(Guid id, IDocumentSession session, MachineDirectory directory, TimeProvider clock, CancellationToken ct) =>
        Change(id, session, directory, ct, c => c.Paused ? new MonitoringResumed(id, clock.GetUtcNow()) : null);

    public static Task<Results<NoContent, ProblemHttpResult>> Retire(Guid id, IDocumentSession session, MachineDirectory directory, TimeProvider clock, CancellationToken ct) =>
        Change(id, session, directory, ct, _ => new MachineRetired(id, clock.GetUtcNow()));

    private static async Task<Results<NoContent, ProblemHttpResult>> Change(
        Guid id, IDocumentSession session, MachineDirectory directory, CancellationToken ct, Func<MachineState, object?> decide)
    {
        var machine = await session.LoadAsync<MachineState>(id, ct);
        if (machine is null || machine.Retired)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No machine {id}.");

        if (decide(machine) is { } change)
        {
            session.Events.Append(id, change);
            await session.SaveChangesAsync(ct);
            directory.Forget(id);
        }
        return TypedResults.NoContent();
    }
}
