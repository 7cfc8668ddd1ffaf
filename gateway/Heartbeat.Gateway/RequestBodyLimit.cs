using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Heartbeat.Gateway;

/// <summary>
/// Refuses request bodies over <see cref="GatewayOptions.MaxRequestBodyBytes"/> with 413 problem details
/// before anything reaches a service. A declared Content-Length is judged at once; a chunked body is read
/// into memory up to the limit (it is small by definition) and forwarded from there.
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

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = _limit;

        if (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            // Kestrel enforces the limit set above while this reads; the threshold keeps the copy in memory.
            request.EnableBuffering(bufferThreshold: (int)Math.Min(_limit, int.MaxValue));
            try
            {
                await request.Body.DrainAsync(context.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await TooLarge(context);
                return;
            }
            request.Body.Position = 0;
        }

        await next(context);
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
