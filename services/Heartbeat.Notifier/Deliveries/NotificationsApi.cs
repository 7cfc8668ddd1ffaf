using Heartbeat.Contracts.Http;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Notifier.Deliveries;

public static class NotificationsApi
{
    public const int MaxDeliveries = 200;

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/notifications", List).WithTags("Notifications").RequireKey(KeyRole.Read);
        return app;
    }

    /// <summary>The delivery log, newest first, at most <see cref="MaxDeliveries"/>; <c>?machine_id=</c> narrows it to one machine.</summary>
    public static async Task<Results<Ok<IReadOnlyList<DeliveryView>>, ValidationProblem>> List(
        [FromQuery(Name = "machine_id")] string? machineId, IQuerySession session, CancellationToken ct)
    {
        var query = session.Query<Delivery>().AsQueryable();
        if (!string.IsNullOrWhiteSpace(machineId))
        {
            if (!Guid.TryParse(machineId, out var id))
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["machine_id"] = [$"machine_id \"{machineId}\" is not a machine id (a GUID)."] },
                    detail: "machine_id must be a machine id (a GUID).");
            query = query.Where(d => d.MachineId == id);
        }

        var deliveries = await query
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(MaxDeliveries)
            .ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<DeliveryView>>(deliveries.Select(d => d.ToView()).ToList());
    }
}
