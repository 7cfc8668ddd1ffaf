using System.Net;
using System.Text.Json;
using Refit;

namespace Heartbeat.Client;

/// <summary>The platform answered, but not with success; <see cref="Exception.Message"/> carries the problem details' own words.</summary>
public sealed class HeartbeatApiException(HttpStatusCode status, string? title, string detail, IReadOnlyDictionary<string, string[]>? errors)
    : Exception(detail)
{
    public HttpStatusCode StatusCode => status;
    public string? Title => title;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    public static HeartbeatApiException From(IApiResponse response) =>
        From(response.StatusCode ?? 0, response.ReasonPhrase, (response.Error as ApiException)?.Content);

    /// <summary>From an answer's status and body, problem details (RFC 7807) or not.</summary>
    public static HeartbeatApiException From(HttpStatusCode status, string? reasonPhrase, string? content)
    {
        string? title = null, detail = null;
        Dictionary<string, string[]>? errors = null;
        if (!string.IsNullOrWhiteSpace(content))
        {
            try
            {
                using var json = JsonDocument.Parse(content);
                var root = json.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    if (root.TryGetProperty("title", out var t)) title = t.GetString();
                    if (root.TryGetProperty("detail", out var d)) detail = d.GetString();
                    if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                        errors = e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString() ?? "").ToArray());
                }
            }
            catch (JsonException)
            {
                // Not problem details (a proxy's HTML page, say): the status line is all there is to say.
            }
        }
        return new HeartbeatApiException(status, title, detail ?? title ?? $"{(int)status} {reasonPhrase}", errors);
    }
}

public static class ApiResponseExtensions
{
    public static T ContentOrThrow<T>(this IApiResponse<T> response) =>
        response.IsSuccessStatusCode && response.Content is { } content ? content : throw Failure(response);

    public static void EnsureSuccess(this IApiResponse response)
    {
        if (!response.IsSuccessStatusCode) throw Failure(response);
    }

    // No answer at all (connection refused, timeout) stays the transport's own exception, not an API error.
    private static Exception Failure(IApiResponse response) =>
        !response.IsReceived && response.Error is { } error
            ? error.InnerException ?? error
            : HeartbeatApiException.From(response);
}
