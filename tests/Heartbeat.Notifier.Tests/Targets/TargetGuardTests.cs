using System.Net;
using System.Net.Sockets;
using Heartbeat.Notifier.Targets;

namespace Heartbeat.Notifier.Tests.Targets;

public class TargetGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.5")]
    [InlineData("172.16.3.4")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.1.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    public void Internal_addresses_are_refused_unless_allowed(string address)
    {
        Assert.Contains("AllowPrivateTargets", TargetGuard.Refusal(IPAddress.Parse(address), allowPrivate: false));
        Assert.Null(TargetGuard.Refusal(IPAddress.Parse(address), allowPrivate: true));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700::1111")]
    public void Public_addresses_are_allowed(string address) => Assert.Null(TargetGuard.Refusal(IPAddress.Parse(address), allowPrivate: false));

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("fd00:ec2::254")]
    [InlineData("::ffff:169.254.169.254")]
    public void Cloud_metadata_is_refused_whatever_the_setting(string address) =>
        Assert.Contains("cloud-metadata", TargetGuard.Refusal(IPAddress.Parse(address), allowPrivate: true));

    [Fact]
    public async Task The_connect_callback_refuses_a_loopback_receiver_and_connects_when_allowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();

        using var guarded = new HttpClient(new SocketsHttpHandler { ConnectCallback = TargetGuard.ConnectCallback(allowPrivate: false) });
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.GetAsync($"http://localhost:{port}/"));
        Assert.IsType<TargetRefusedException>(refused.InnerException);
        Assert.False(accepted.IsCompleted); // nothing reached the listener

        // Allowed, the same name connects: the listener accepts the connection (it never answers; the client gives up).
        using var allowed = new HttpClient(new SocketsHttpHandler { ConnectCallback = TargetGuard.ConnectCallback(allowPrivate: true) }) { Timeout = TimeSpan.FromSeconds(10) };
        var pending = allowed.GetAsync($"http://localhost:{port}/");
        using var client = await accepted.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(client.Connected);
        allowed.CancelPendingRequests();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }
}
