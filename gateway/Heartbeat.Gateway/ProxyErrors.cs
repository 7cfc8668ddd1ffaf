using Yarp.ReverseProxy.Forwarder;

namespace Heartbeat.Gateway;

/// <summary>When a service cannot be reached, answers problem details naming it instead of an empty 502, 503 or 504.</summary>
public sealed class ProxyErrors(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);

        var error = context.GetForwarderErrorFeature();
        var status = context.Response.StatusCode;
        if (error is null || context.Response.HasStarted || status is not (502 or 503 or 504)) return;

        var service = context.ServiceName();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = status,
                Title = status == StatusCodes.Status504GatewayTimeout ? "Service timed out" : "Service unavailable",
                Detail = $"The {service} service did not answer ({error.Error}). See GET /health for which services are ready.",
            },
        });
    }
}
