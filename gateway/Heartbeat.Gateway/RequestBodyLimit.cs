using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Heartbeat.Gateway;

/// <summary>
/// Refuses request bodies over <see cref="GatewayOptions.MaxRequestBodyBytes"/> with 413 problem details
/// before anything reaches a service. A declared Content-Length is judged at once (Kestrel holds the client
/// to it); a chunked body is read into memory up to the limit, which is small, and forwarded from there.
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next, IOptions<GatewayOptions> options, IProblemDetailsService problems)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > _limit)
        {
            await TooLarge(context);
            return;
        }

        if (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            // Kestrel's own limit would count the chunk framing too, so count the body bytes here instead.
            var body = await ReadUpToLimitAsync(request.Body, context.RequestAborted);
            if (body is null)
            {
                await TooLarge(context);
                return;
            }
            request.Body = body;
            context.Response.RegisterForDispose(body);
        }

        await next(context);
    }

    /// <returns>The whole body, or null when it is longer than the limit.</returns>
    private async Task<MemoryStream?> ReadUpToLimitAsync(Stream source, CancellationToken ct)
    {
        var copy = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, ct)) > 0)
            {
                if (copy.Length + read > _limit)
                {
                    await copy.DisposeAsync();
                    return null;
                }
                copy.Write(chunk, 0, read);
            }
            copy.Position = 0;
            return copy;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private async Task TooLarge(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "Request body too large",
                Detail = $"The request body is larger than the gateway accepts ({_limit} bytes). Heartbeats and API calls are small: send less.",
            },
        });
    }
}
