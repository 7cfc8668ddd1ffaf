using System.Text.Json;
using Heartbeat.Contracts.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.ServiceDefaults;

/// <summary>
/// Reads a JSON body with a size limit and turns every way it can be wrong into problem details
/// (413 too large, 415 not JSON, 400 malformed), instead of minimal-API binding's bare 400.
/// </summary>
public static class JsonBody
{
    public const long DefaultLimitBytes = 64 * 1024;

    public readonly record struct Result<T>(T? Value, ProblemHttpResult? Problem);

    /// <param name="optional">When true an empty body reads as <c>default</c>.</param>
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, bool optional = false, long limitBytes = DefaultLimitBytes)
    {
        if (request.ContentLength > limitBytes)
            return Fail<T>(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body may be at most {limitBytes} bytes.");
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = limitBytes;

        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (!hasBody)
            return optional ? new Result<T>(default, null) : Fail<T>(StatusCodes.Status400BadRequest, "Body required", "The request needs a JSON body.");
        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
            return Fail<T>(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.");

        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            if (buffer.Length == 0)
                return optional ? new Result<T>(default, null) : Fail<T>(StatusCodes.Status400BadRequest, "Body required", "The request needs a JSON body.");
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), HeartbeatJson.Options);
            return value is null && !optional
                ? Fail<T>(StatusCodes.Status400BadRequest, "Body required", "The request needs a JSON object, not null.")
                : new Result<T>(value, null);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : "";
            return Fail<T>(StatusCodes.Status400BadRequest, "Malformed JSON", $"The body is not valid JSON for this call{where}: {FirstSentence(e.Message)}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Fail<T>(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body may be at most {limitBytes} bytes.");
        }
    }

    private static Result<T> Fail<T>(int status, string title, string detail) =>
        new(default, TypedResults.Problem(statusCode: status, title: title, detail: detail));

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
