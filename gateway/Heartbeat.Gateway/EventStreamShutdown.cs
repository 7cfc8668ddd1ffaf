namespace Heartbeat.Gateway;

/// <summary>
/// A proxied server-sent event stream (the dashboard's live updates) never ends by itself, so a stopping gateway
/// would wait its whole shutdown timeout for it. Ending such streams when the gateway stops lets it restart at once;
/// the browser reconnects and resumes with Last-Event-ID.
/// </summary>
public sealed class EventStreamShutdown(RequestDelegate next, IHostApplicationLifetime lifetime)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        await using var stopping = lifetime.ApplicationStopping.Register(context.Abort);
        await next(context);
    }
}
