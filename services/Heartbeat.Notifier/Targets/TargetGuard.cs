using System.Net;
using System.Net.Sockets;

namespace Heartbeat.Notifier.Targets;

/// <summary>
/// Keeps channels from reaching what they should not (SSRF): a target that resolves to loopback, private,
/// link-local, shared or otherwise internal addresses is refused unless private targets are allowed; cloud-metadata
/// addresses are refused always. Checked when a channel is created and again on every connection, on the addresses
/// actually connected to, since DNS can change between the two.
/// </summary>
public static class TargetGuard
{
    public static readonly IPAddress[] MetadataAddresses = [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("fd00:ec2::254")];

    /// <summary>Null when the address may be connected to, else why not.</summary>
    public static string? Refusal(IPAddress address, bool allowPrivate)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (MetadataAddresses.Contains(address)) return $"{address} is a cloud-metadata address";
        if (allowPrivate || IsPublic(address)) return null;
        return $"{address} is a loopback, private or link-local address (set Notifier__AllowPrivateTargets=true to allow)";
    }

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
            return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                   // this network
                || b[0] == 10                                    // private
                || (b[0] == 100 && b[1] is >= 64 and <= 127)     // carrier-grade NAT
                || b[0] == 127                                   // loopback
                || (b[0] == 169 && b[1] == 254)                  // link-local (and metadata)
                || (b[0] == 172 && b[1] is >= 16 and <= 31)      // private
                || (b[0] == 192 && b[1] == 168)                  // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)       // IETF protocol assignments
                || (b[0] == 198 && b[1] is 18 or 19)             // benchmarking
                || b[0] >= 224);                                 // multicast and reserved
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                         // unique local fc00::/7
                || address.IsIPv6Teredo
                || (b[0] == 0x20 && b[1] == 0x02)                // 6to4 can wrap any IPv4 address
                || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B)); // NAT64 likewise
        }
        return false;
    }

    /// <summary>Resolves the host (or takes the literal address) and refuses it if any of its addresses is refused.</summary>
    public static async Task<string?> CheckHostAsync(string host, bool allowPrivate, CancellationToken ct)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) addresses = [literal];
        else
        {
            try { addresses = await Dns.GetHostAddressesAsync(host, ct); }
            catch (SocketException) { return $"the host {host} does not resolve"; }
        }
        if (addresses.Length == 0) return $"the host {host} does not resolve";
        return addresses.Select(a => Refusal(a, allowPrivate)).FirstOrDefault(r => r is not null);
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects only to addresses the guard allows, so a
    /// name that resolved to a public address at creation cannot later lead a delivery to an internal one.
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(bool allowPrivate) =>
        async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, ct);
            var refusals = addresses.Select(a => Refusal(a, allowPrivate)).Where(r => r is not null).ToList();
            if (addresses.Length == 0 || refusals.Count > 0)
                throw new TargetRefusedException(refusals.FirstOrDefault() ?? $"the host {host} does not resolve");

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}

/// <summary>A target the guard refused: a delivery to it fails for good (retrying will not change the address rules).</summary>
public sealed class TargetRefusedException(string reason) : Exception($"Refused to connect: {reason}.");
