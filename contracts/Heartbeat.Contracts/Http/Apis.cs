using Refit;

namespace Heartbeat.Contracts.Http;

// The public API as users call it through the gateway. The agent, the tests and any client
// use these. Authorization is "Bearer <key>": a machine token for heartbeats, an admin or read
// key for everything else.

public interface IHeartbeatApi
{
    [Post("/api/heartbeat/{machineId}")]
    Task<IApiResponse<HeartbeatAccepted>> SendHeartbeat(Guid machineId, [Body] HeartbeatRequest? body, [Authorize] string token, CancellationToken ct = default);

    /// <summary>A job's run started; the next heartbeat ends it and records its duration.</summary>
    [Post("/api/heartbeat/{machineId}/start")]
    Task<IApiResponse<HeartbeatAccepted>> StartRun(Guid machineId, [Body] HeartbeatRequest? body, [Authorize] string token, CancellationToken ct = default);

    /// <summary>A job's run failed: the machine is offline at once.</summary>
    [Post("/api/heartbeat/{machineId}/fail")]
    Task<IApiResponse<HeartbeatAccepted>> FailRun(Guid machineId, [Body] HeartbeatRequest? body, [Authorize] string token, CancellationToken ct = default);

    /// <summary>A job's run exited with <paramref name="code"/>: 0 a success, anything else a failure.</summary>
    [Post("/api/heartbeat/{machineId}/exit/{code}")]
    Task<IApiResponse<HeartbeatAccepted>> ExitRun(Guid machineId, int code, [Body] HeartbeatRequest? body, [Authorize] string token, CancellationToken ct = default);
}

public interface IMachinesApi
{
    [Post("/api/machines")]
    Task<IApiResponse<RegisteredMachine>> Register([Body] RegisterMachineRequest request, CancellationToken ct = default);

    /// <param name="status">comma-separated statuses; <paramref name="sort"/> is problems (default), name or last_seen.</param>
    [Get("/api/machines")]
    Task<IApiResponse<MachinePage>> List(string? status = null, string? tag = null, string? q = null, string? sort = null,
        string? cursor = null, int? limit = null, CancellationToken ct = default);

    [Get("/api/machines/{id}")]
    Task<IApiResponse<MachineView>> Get(Guid id, CancellationToken ct = default);

    /// <param name="include">heartbeats, to add the recent heartbeats.</param>
    [Get("/api/machines/{id}/history")]
    Task<IApiResponse<MachineHistory>> History(Guid id, [Query(Format = "O")] DateTimeOffset? from = null, [Query(Format = "O")] DateTimeOffset? to = null, string? include = null, CancellationToken ct = default);

    /// <param name="window">24h, 7d, 30d (default) or 90d; any duration up to 400d.</param>
    [Get("/api/machines/{id}/uptime")]
    Task<IApiResponse<UptimeView>> Uptime(Guid id, string? window = null, CancellationToken ct = default);

    [Get("/api/machines/{id}/state-at")]
    Task<IApiResponse<MachineStateAt>> StateAt(Guid id, [Query(Format = "O")] DateTimeOffset t, CancellationToken ct = default);

    [Patch("/api/machines/{id}")]
    Task<IApiResponse> ChangeSettings(Guid id, [Body] ChangeMachineSettingsRequest request, CancellationToken ct = default);

    [Post("/api/machines/{id}/ping-key")]
    Task<IApiResponse<PingKeyCreated>> CreatePingKey(Guid id, CancellationToken ct = default);

    [Delete("/api/machines/{id}/ping-key")]
    Task<IApiResponse> RevokePingKey(Guid id, CancellationToken ct = default);

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

    [Get("/api/channels/{id}")]
    Task<IApiResponse<ChannelView>> Get(Guid id, CancellationToken ct = default);

    /// <summary>Only the fields present change; <c>"fallback_channel_id": null</c> removes the fallback.</summary>
    [Patch("/api/channels/{id}")]
    Task<IApiResponse<ChannelView>> Update(Guid id, [Body] System.Text.Json.Nodes.JsonObject changes, CancellationToken ct = default);

    [Delete("/api/channels/{id}")]
    Task<IApiResponse> Delete(Guid id, CancellationToken ct = default);

    /// <summary>Sends a test message to the channel now and answers with the outcome.</summary>
    [Post("/api/channels/{id}/test")]
    Task<IApiResponse<ChannelTestResult>> Test(Guid id, CancellationToken ct = default);

    /// <summary>The delivery log, newest first; every filter is optional; <paramref name="page"/> counts from 1.</summary>
    [Get("/api/notifications")]
    Task<IApiResponse<IReadOnlyList<DeliveryView>>> Deliveries(Guid? machine = null, Guid? channel = null, string? outcome = null, int? page = null, CancellationToken ct = default);
}

public interface IMaintenanceApi
{
    [Post("/api/maintenance")]
    Task<IApiResponse<MaintenanceWindowView>> Create([Body] CreateMaintenanceWindowRequest request, CancellationToken ct = default);

    [Get("/api/maintenance")]
    Task<IApiResponse<IReadOnlyList<MaintenanceWindowView>>> List(CancellationToken ct = default);

    [Get("/api/maintenance/{id}")]
    Task<IApiResponse<MaintenanceWindowView>> Get(Guid id, CancellationToken ct = default);

    /// <summary>Ends the window now: machines it silenced that are still offline are told at once.</summary>
    [Delete("/api/maintenance/{id}")]
    Task<IApiResponse> Delete(Guid id, CancellationToken ct = default);
}

public interface IStatusPagesApi
{
    [Post("/api/status-pages")]
    Task<IApiResponse<StatusPageView>> Create([Body] CreateStatusPageRequest request, CancellationToken ct = default);

    [Post("/api/badges")]
    Task<IApiResponse<BadgeView>> CreateBadge([Body] CreateBadgeRequest request, CancellationToken ct = default);
}
