using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Machines;
using Heartbeat.ServiceDefaults;

namespace Heartbeat.Ingest;

public static class MachinesApi
{
    public static IEndpointRouteBuilder MapMachinesApi(this IEndpointRouteBuilder app)
    {
        var machines = app.MapGroup("/api/machines").RequireKey(KeyRole.Admin);
        machines.MapPost("/", RegisterMachine.Handle).Accepts<RegisterMachineRequest>("application/json");
        machines.MapPatch("/{id:guid}", ChangeSettings.Handle);
        machines.MapPost("/{id:guid}/ping-key", PingKeys.Issue);
        machines.MapDelete("/{id:guid}/ping-key", PingKeys.Revoke);
        machines.MapPost("/{id:guid}/pause", ChangeMonitoring.Pause);
        machines.MapPost("/{id:guid}/resume", ChangeMonitoring.Resume);
        machines.MapDelete("/{id:guid}", ChangeMonitoring.Retire);
        // Authorised by an enrolment key instead of the admin key, so outside the admin group.
        app.MapPost("/api/machines/enroll", EnrollMachine.Handle).Accepts<EnrollMachineRequest>("application/json")
            .AcceptsCredential(CredentialRequirement.EnrollmentKey, CredentialRequirement.AdminKey);
        return app;
    }

    public static IEndpointRouteBuilder MapHeartbeatsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/heartbeat/{machineId}", Heartbeats.ReceiveHeartbeat.Handle)
            .Accepts<HeartbeatRequest>(isOptional: true, "application/json").AcceptsCredential(CredentialRequirement.MachineToken);
        // A job's runs: start, failure, exit status. Each is a heartbeat carrying its run signal.
        app.MapPost("/api/heartbeat/{machineId}/start", Heartbeats.ReceiveRunSignal.Start)
            .Accepts<HeartbeatRequest>(isOptional: true, "application/json").AcceptsCredential(CredentialRequirement.MachineToken);
        app.MapPost("/api/heartbeat/{machineId}/fail", Heartbeats.ReceiveRunSignal.Fail)
            .Accepts<HeartbeatRequest>(isOptional: true, "application/json").AcceptsCredential(CredentialRequirement.MachineToken);
        app.MapPost("/api/heartbeat/{machineId}/exit/{code}", Heartbeats.ReceiveRunSignal.Exit)
            .Accepts<HeartbeatRequest>(isOptional: true, "application/json").AcceptsCredential(CredentialRequirement.MachineToken);
        return app;
    }
}
