namespace Heartbeat.Ingest.Pings;

/// <summary>Ping URLs in the shapes other monitors' clients already speak, so switching is a change of host.</summary>
public static class PingsApi
{
    public static IEndpointRouteBuilder MapPingsApi(this IEndpointRouteBuilder app) => app
        .MapHealthchecksPings()
        .MapUptimeKumaPush()
        .MapOpsgeniePings()
        .MapAlertmanagerWebhook();
}
