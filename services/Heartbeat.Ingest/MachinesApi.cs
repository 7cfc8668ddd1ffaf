using Heartbeat.Ingest.Machines;
using Heartbeat.ServiceDefaults;

namespace Heartbeat.Ingest;

public static class MachinesApi
{
    public static IEndpointRouteBuilder MapMachinesApi(this IEndpointRouteBuilder app)
    {
        var machines = app.MapGroup("/api/machines").RequireKey(KeyRole.Admin);
        machines.MapPost("/", RegisterMachine.Handle);
        machines.MapPatch("/{id:guid}", ChangeSettings.Handle);
        machines.MapPost("/{id:guid}/pause", ChangeMonitoring.Pause);
        machines.MapPost("/{id:guid}/resume", ChangeMonitoring.Resume);
        machines.MapDelete("/{id:guid}", ChangeMonitoring.Retire);
        return app;
    }

    public static IEndpointRouteBuilder MapHeartbeatsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/heartbeat/{machineId}", Heartbeats.ReceiveHeartbeat.Handle);
        return app;
    }
}
