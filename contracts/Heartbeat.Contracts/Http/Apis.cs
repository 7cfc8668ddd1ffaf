using Refit;

namespace Heartbeat.Contracts.Http;

// The public API as users call it through the gateway. The agent, the tests and any client
// use these. Authorization is "Bearer <key>": a machine token for heartbeats, an admin or read
// key for everything else.

public interface IHeartbeatApi
{
    [Post("/api/heartbeat/{machineId}")]
    Task<IApiResponse<HeartbeatAccepted>> SendHeartbeat(Guid machineId, [Body] HeartbeatRequest? body, [Authorize] string token, CancellationToken ct = default);
}

public interface IMachinesApi
{
    [Post("/api/machines")]
    Task<IApiResponse<RegisteredMachine>> Register([Body] RegisterMachineRequest request, CancellationToken ct = default);

    [Get("/api/machines")]
    Task<IApiResponse<IReadOnlyList<MachineView>>> List(CancellationToken ct = default);

    [Get("/api/machines/{id}")]
    Task<IApiResponse<MachineView>> Get(Guid id, CancellationToken ct = default);

    [Get("/api/machines/{id}/history")]
    Task<IApiResponse<IReadOnlyList<TransitionView>>> History(Guid id, CancellationToken ct = default);

    [Get("/api/machines/{id}/uptime")]
    Task<IApiResponse<UptimeView>> Uptime(Guid id, int? days = null, CancellationToken ct = default);

    [Patch("/api/machines/{id}")]
    Task<IApiResponse> ChangeSettings(Guid id, [Body] ChangeMachineSettingsRequest request, CancellationToken ct = default);

    [Post("/api/machines/{id}/pause")]
    Task<IApiResponse> Pause(Guid id, CancellationToken ct = default);

    [Post("/api/machines/{id}/resume")]
    Task<IApiResponse> Resume(Guid id, CancellationToken ct = default);
}

public interface IChannelsApi
{
    [Post("/api/channels")]
    Task<IApiResponse<ChannelView>> Create([Body] CreateChannelRequest request, CancellationToken ct = default);

    [Get("/api/channels")]
    Task<IApiResponse<IReadOnlyList<ChannelView>>> List(CancellationToken ct = default);

    [Delete("/api/channels/{id}")]
    Task<IApiResponse> Delete(Guid id, CancellationToken ct = default);

    [Get("/api/notifications")]
    Task<IApiResponse<IReadOnlyList<DeliveryView>>> Deliveries(CancellationToken ct = default);
}
