using System.Net.Sockets;
using Heartbeat.Contracts.Events;

namespace Heartbeat.Prober.Probing;

/// <summary>http: the machine answers when a GET of the URL returns the expected status (redirects are not followed).</summary>
public static class HttpProbe
{
    /// <returns>Null on success, otherwise the error.</returns>
    public static async Task<string?> RunAsync(HttpClient http, ProbeSettings probe, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, probe.Url);
            request.Headers.UserAgent.ParseAdd("Heartbeat.Prober/1.0");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return status == probe.ExpectStatus
                ? null
                : $"GET {probe.Url} answered {status}, expected {probe.ExpectStatus}.";
        }
        catch (HttpRequestException e) when (!ct.IsCancellationRequested)
        {
            var cause = e.InnerException is SocketException socket ? Probes.Describe(socket) : e.HttpRequestError.ToString();
            return $"GET {probe.Url} failed: {cause}.";
        }
    }
}
