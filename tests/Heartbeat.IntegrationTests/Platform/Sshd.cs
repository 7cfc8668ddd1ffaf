using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Heartbeat.IntegrationTests.Platform;

/// <summary>
/// A real OpenSSH server (Debian's openssh-server, installed by scripts/test) on a free loopback port, with its own
/// generated host key and a generated user key allowed to log in as the current user. Nothing of the machine's own
/// ssh set-up is touched: config, keys and pid file live in a temporary folder.
/// </summary>
public sealed class Sshd : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/sshd";
    private readonly string _dir = Directory.CreateTempSubdirectory("heartbeat-sshd-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public int Port { get; } = FreePort();
    public string User { get; } = Environment.UserName;
    /// <summary>The user's private key, OpenSSH format, as a registration sends it.</summary>
    public string PrivateKey { get; private set; } = "";

    public static async Task<Sshd> StartAsync()
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: scripts/test installs openssh-server (apt-get install openssh-server).");
        var sshd = new Sshd();
        await sshd.NewHostKeyAsync();
        await Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "heartbeat-probe-test", "-f", sshd.PathOf("user_key"));
        File.Copy(sshd.PathOf("user_key.pub"), sshd.PathOf("authorized_keys"));
        sshd.PrivateKey = await File.ReadAllTextAsync(sshd.PathOf("user_key"));
        await File.WriteAllTextAsync(sshd.PathOf("sshd_config"), $"""
            Port {sshd.Port}
            ListenAddress 127.0.0.1
            HostKey {sshd.PathOf("host_key")}
            PidFile {sshd.PathOf("sshd.pid")}
            AuthorizedKeysFile {sshd.PathOf("authorized_keys")}
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            LogLevel ERROR
            """);
        Directory.CreateDirectory("/run/sshd"); // privilege separation directory sshd insists on
        await sshd.StartAgainAsync();
        return sshd;
    }

    /// <summary>Starts sshd (again) on the same port and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(Binary, ["-D", "-e", "-f", PathOf("sshd_config")]) { RedirectStandardError = true, RedirectStandardOutput = true };
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.BeginErrorReadLine();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (_process.HasExited) break;
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) { await Task.Delay(50); }
        }
        throw new InvalidOperationException($"sshd did not listen on {Port} within 15 s: {string.Join('\n', _output)}");
    }

    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Replaces the host key (for the next start), as a reinstalled or impersonated host would present.</summary>
    public async Task NewHostKeyAsync()
    {
        File.Delete(PathOf("host_key"));
        File.Delete(PathOf("host_key.pub"));
        await Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", PathOf("host_key"));
    }

    private string PathOf(string file) => Path.Combine(_dir, file);

    private static async Task Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {await process.StandardError.ReadToEndAsync()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
