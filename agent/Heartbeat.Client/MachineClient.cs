using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Client;

/// <summary>
/// The two calls a machine makes for itself — its heartbeat and its enrolment — over a plain
/// <see cref="HttpClient"/> with source-generated JSON. No Refit proxies, no dependency injection, no
/// reflection: heartbeat-agent is published as a trimmed native-AOT program so that it stays a few MB in memory,
/// and these are all it needs. The calls never retry: the agent's schedule decides when to try again.
/// </summary>
public sealed class MachineClient(HttpClient http, Uri baseUrl)
{
    // Relative paths resolve under the URL's own path too (a platform behind https://host/heartbeat/).
    private readonly Uri _base = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");

    /// <summary>
    /// <c>POST /api/heartbeat/{id}</c> with the machine token. Returns when the platform stored it; throws
    /// <see cref="HeartbeatApiException"/> when it answered otherwise, and the transport's exception
    /// (<see cref="HttpRequestException"/>, or <see cref="TaskCanceledException"/> on the client's timeout) when it did not answer.
    /// </summary>
    public async Task SendHeartbeatAsync(Guid machineId, string token, HeartbeatRequest? body, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, $"api/heartbeat/{machineId}"))
        {
            Content = body is null ? null : JsonContent.Create(body, MachineJson.Default.HeartbeatRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
    }

    /// <summary>
    /// <c>POST /api/machines/enroll</c> with an enrolment key: a new machine, or the same machine with a new
    /// token (the old one revoked) when its name and hostname enrolled before. Fails as <see cref="SendHeartbeatAsync"/> does.
    /// </summary>
    public async Task<RegisteredMachine> EnrollAsync(EnrollMachineRequest enrollment, string enrollmentKey, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, "api/machines/enroll"))
        {
            Content = JsonContent.Create(enrollment, MachineJson.Default.EnrollMachineRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", enrollmentKey);
        using var response = await http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(MachineJson.Default.RegisteredMachine, ct)
            ?? throw new HeartbeatApiException(response.StatusCode, null, "the enrolment answer had no machine", null);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var content = await response.Content.ReadAsStringAsync(ct);
        throw HeartbeatApiException.From(response.StatusCode, response.ReasonPhrase, content);
    }
}

/// <summary>The public API's JSON (as <see cref="HeartbeatJson"/>: snake_case) for the machine's own calls, generated at compile time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified)]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(EnrollMachineRequest))]
[JsonSerializable(typeof(RegisteredMachine))]
public sealed partial class MachineJson : JsonSerializerContext;
