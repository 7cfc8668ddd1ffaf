using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace Heartbeat.Gateway;

/// <summary>
/// <c>GET /health</c>: 200 only when every service behind the gateway is ready, i.e. at least one destination
/// of each YARP cluster answers its <c>/health/ready</c> with 200 within the timeout; otherwise 503 naming
/// the services that are not. Asks the services now rather than trusting the last active health check. The prober
/// is a cluster without routes: it is behind the gateway only for this aggregated health.
/// </summary>
public static class ServiceReadiness
{
    public const string HttpClientName = "service-readiness";

    public static IEndpointRouteBuilder MapServiceReadiness(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", CheckAsync);
        return app;
    }

    private static async Task<IResult> CheckAsync(
        IProxyStateLookup proxy, IHttpClientFactory clients, IOptions<GatewayOptions> options, CancellationToken ct)
    {
        var client = clients.CreateClient(HttpClientName);
        client.Timeout = options.Value.ReadinessTimeout;

        // A cluster without destinations is a service this deployment does not run (the prober has no routes, only
        // its health here; its address comes from the environment where it runs): left out rather than never ready.
        var services = await Task.WhenAll(proxy.GetClusters().Where(c => c.Destinations.Count > 0).Select(async cluster =>
        {
            var destinations = await Task.WhenAll(cluster.Destinations.Values.Select(async d =>
            {
                var address = d.Model.Config.Health ?? d.Model.Config.Address;
                return (Address: address, State: await ProbeAsync(client, address, ct));
            }));
            var ready = destinations.Any(d => d.State == "ready");
            return (Name: cluster.ClusterId, Ready: ready, Destinations: destinations);
        }));

        var allReady = services.All(s => s.Ready);
        var body = new
        {
            Status = allReady ? "ready" : "not_ready",
            NotReady = services.Where(s => !s.Ready).Select(s => s.Name).ToArray(),
            Services = services.ToDictionary(
                s => s.Name,
                s => new
                {
                    Status = s.Ready ? "ready" : "not_ready",
                    Destinations = s.Destinations.ToDictionary(d => d.Address, d => d.State),
                }),
        };
        return TypedResults.Json(body, statusCode: allReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <returns><c>ready</c>, <c>not_ready (503)</c> (it answered, but not 200), <c>timeout</c> or <c>unreachable</c>.</returns>
    private static async Task<string> ProbeAsync(HttpClient client, string address, CancellationToken ct)
    {
        try
        {
            using var response = await client.GetAsync(new Uri(new Uri(address), "health/ready"), ct);
            return response.IsSuccessStatusCode ? "ready" : $"not_ready ({(int)response.StatusCode})";
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (HttpRequestException)
        {
            return "unreachable";
        }
    }
}
