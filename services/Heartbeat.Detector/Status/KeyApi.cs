using Heartbeat.ServiceDefaults;

namespace Heartbeat.Detector.Status;

/// <summary><c>GET /api/key</c>: what the presented key may do, so the dashboard shows admin actions to admin keys only.</summary>
public static class KeyApi
{
    public sealed record KeyRoleView(string Role);

    public static IEndpointRouteBuilder MapKeyApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/key", (HttpRequest request, ApiKeys keys) =>
                TypedResults.Ok(new KeyRoleView(keys.Allows(ApiKeys.BearerOf(request), KeyRole.Admin) ? "admin" : "read")))
            .RequireKey(KeyRole.Read);
        return app;
    }
}
