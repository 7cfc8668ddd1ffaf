using System.Diagnostics;

namespace Heartbeat.ServiceDefaults;

/// <summary>The platform's own activity source, for spans around work the libraries do not trace.</summary>
public static class HeartbeatTelemetry
{
    public const string SourceName = "Heartbeat.Platform";
    public static readonly ActivitySource Source = new(SourceName);
}
