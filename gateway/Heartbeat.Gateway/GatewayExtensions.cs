using OpenTelemetry.Instrumentation.Http;
using Yarp.ReverseProxy.Configuration;

namespace Heartbeat.Gateway;

public static class GatewayExtensions
{
    /// <summary>Options, YARP from configuration and the HTTP client the readiness probe uses.</summary>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration("Gateway")
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

        builder.Services.AddHttpClient(ServiceReadiness.HttpClientName);
        // A service builds its document on first request, which takes seconds on a busy machine.
        builder.Services.AddHttpClient(PublicOpenApi.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));

        // Health probes (YARP's active checks every few seconds, and /health) are not traces worth keeping.
        builder.Services.Configure<HttpClientTraceInstrumentationOptions>(o =>
            o.FilterHttpRequestMessage = request => request.RequestUri?.AbsolutePath.StartsWith("/health") != true);
        return builder;
    }

    /// <summary>Maps the YARP routes; every proxied request passes the body limit, failures become problem details.</summary>
    public static IEndpointRouteBuilder MapGatewayProxy(this IEndpointRouteBuilder app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<RequestBodyLimit>();
            proxy.UseMiddleware<EventStreamShutdown>();
            proxy.UseMiddleware<ProxyErrors>();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    internal static string ServiceName(this HttpContext context) =>
        context.GetReverseProxyFeature().Cluster.Config.ClusterId;
}
