using Heartbeat.Contracts.Http;
using Refit;

namespace Heartbeat.Client;

// Calls of the public API that contracts/Heartbeat.Contracts/Http/Apis.cs does not declare (yet). They live
// here rather than there so this client can grow without touching the shared contracts.

public interface IEnrollmentApi
{
    /// <summary>201 with a new machine, or 200 with the same machine and a new token when its name and hostname enrolled before.</summary>
    [Post("/api/machines/enroll")]
    Task<IApiResponse<RegisteredMachine>> Enroll([Body] EnrollMachineRequest request, [Authorize] string enrollmentKey, CancellationToken ct = default);
}

public interface IMachineRetirementApi
{
    [Delete("/api/machines/{id}")]
    Task<IApiResponse> Retire(Guid id, CancellationToken ct = default);
}

public interface IChannelTestsApi
{
    /// <summary>Sends a test notification through the channel.</summary>
    [Post("/api/channels/{id}/test")]
    Task<IApiResponse> Test(Guid id, CancellationToken ct = default);
}
