using System.Diagnostics;
using JasperFx;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Heartbeat.ServiceDefaults;

/// <summary>Maps known failures to problem details; everything else becomes a 500 with a trace id and no internals.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, title) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            ConcurrencyException => (StatusCodes.Status409Conflict, "Conflict"),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, "Client closed request"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error"),
        };
        if (status >= 500)
            logger.LogError(exception, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Title = title,
                Detail = status >= 500 ? "The request failed; the trace id identifies it in the logs." : exception.Message,
                Extensions = { ["trace_id"] = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier },
            },
        });
    }
}
