using Heartbeat.Contracts.Http;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Quiet;
using Heartbeat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Notifier.Maintenance;

/// <summary>
/// /api/maintenance: windows are created (admin), listed and read (read key), deleted (admin). A window cannot be
/// changed: delete it (which ends its quiet now) and create another.
/// </summary>
public static class MaintenanceApi
{
    public static IEndpointRouteBuilder MapMaintenanceApi(this IEndpointRouteBuilder app)
    {
        var maintenance = app.MapGroup("/api/maintenance").WithTags("Maintenance");
        maintenance.MapPost("/", CreateMaintenanceWindow.Handle).RequireKey(KeyRole.Admin);
        maintenance.MapGet("/", List).RequireKey(KeyRole.Read);
        maintenance.MapGet("/{id:guid}", Get).RequireKey(KeyRole.Read);
        maintenance.MapDelete("/{id:guid}", Delete).RequireKey(KeyRole.Admin);
        return app;
    }

    public static MaintenanceWindowView View(MaintenanceWindow w, DateTimeOffset now)
    {
        var active = w.ActiveAt(now);
        return new MaintenanceWindowView(
            w.Id, new ChannelMachines(w.Machines.Ids, w.Machines.Tags), w.StartsAt, w.EndsAt, w.Schedule, w.TimeZone,
            w.Duration is { } d ? ChannelRouting.Format(d) : null, active is not null, active?.End.ToUniversalTime());
    }

    public static async Task<Ok<IReadOnlyList<MaintenanceWindowView>>> List(MaintenanceWindows windows, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<MaintenanceWindowView>>((await windows.ListAsync(ct)).Select(w => View(w, now)).ToList());
    }

    public static async Task<Results<Ok<MaintenanceWindowView>, ProblemHttpResult>> Get(Guid id, MaintenanceWindows windows, TimeProvider time, CancellationToken ct) =>
        await windows.FindAsync(id, ct) is { } window ? TypedResults.Ok(View(window, time.GetUtcNow())) : NotFound(id);

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, MaintenanceWindows windows, TimeProvider time, CancellationToken ct) =>
        await windows.DeleteAsync(id, time.GetUtcNow(), ct) ? TypedResults.NoContent() : NotFound(id);

    public static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Maintenance window not found", detail: $"There is no maintenance window {id}.");
}
