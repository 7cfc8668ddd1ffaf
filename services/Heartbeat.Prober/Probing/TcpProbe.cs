using System.Net.Sockets;
using Heartbeat.Contracts.Events;

namespace Heartbeat.Prober.Probing;

/// <summary>tcp: the machine answers when a connection to host:port is accepted.</summary>
public static class TcpProbe
{
    /// <returns>Null on success, otherwise the error.</returns>
    public static async Task<string?> RunAsync(ProbeSettings probe, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // Closed with a reset instead of a FIN: thousands of probes a minute would otherwise leave as many sockets in
        // TIME_WAIT on the prober's side and run it out of local ports to the same host.
        socket.LingerState = new LingerOption(true, 0);
        try
        {
            await socket.ConnectAsync(probe.Host!, probe.Port!.Value, ct);
            return null;
        }
        catch (SocketException e)
        {
            return $"tcp {probe.Host}:{probe.Port}: {Probes.Describe(e)}.";
        }
    }
}
