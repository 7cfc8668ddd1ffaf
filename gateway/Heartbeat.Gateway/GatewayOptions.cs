using System.ComponentModel.DataAnnotations;

namespace Heartbeat.Gateway;

/// <summary>The gateway's own limits (section <c>Gateway</c>); routes and clusters live in <c>ReverseProxy</c>.</summary>
public sealed class GatewayOptions
{
    /// <summary>Largest request body forwarded to a service; larger bodies get 413. 64 KiB by default.</summary>
    [Range(1, 100 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How long /health waits for each service's /health/ready.</summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
