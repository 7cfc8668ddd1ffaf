namespace Heartbeat.Detector.Status;

/// <summary>The base URL the caller used, as the gateway forwarded it (YARP adds X-Forwarded-Proto and -Host).</summary>
public static class PublicUrl
{
    public static string Of(HttpRequest request)
    {
        var scheme = request.Headers["X-Forwarded-Proto"].ToString() is { Length: > 0 } p ? p.Split(',')[0].Trim() : request.Scheme;
        var host = request.Headers["X-Forwarded-Host"].ToString() is { Length: > 0 } h ? h.Split(',')[0].Trim() : request.Host.Value;
        return $"{scheme}://{host}";
    }
}
