using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Heartbeat.IntegrationTests.Platform;

/// <summary>
/// One of the platform's services, run from its build output as a real process on a fixed free port, so it can be
/// stopped, killed, frozen and started again at the same address. Shared by the integration tests and the fault suite.
/// </summary>
public sealed class ServiceProcess(string name, string dllPath, string projectDirectory, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public string Name => name;
    public int Port { get; } = FreePort();
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public int ProcessId => _process?.Id ?? 0;
    public bool HasExited => _process?.HasExited ?? true;

    public void Start()
    {
        if (!File.Exists(dllPath)) throw new FileNotFoundException($"{name} is not built at {dllPath}", dllPath);
        var start = new ProcessStartInfo("dotnet", [dllPath, "--urls", BaseAddress.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The project folder is the content root, as with `dotnet run`: the gateway serves wwwroot from there.
            WorkingDirectory = projectDirectory,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Heartbeat"] = "Information";
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>kill -9: no chance to clean up, as when a process crashes or its host dies.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process) return;
        await SignalAsync("KILL");
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGTERM, as an operator's stop; killed if it has not exited within 15 s.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process) return;
        await SignalAsync("TERM");
        try { await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15)); }
        catch (TimeoutException) { process.Kill(entireProcessTree: true); await process.WaitForExitAsync(); }
    }

    /// <summary>SIGSTOP: the process holds its sockets but answers nothing — a hung service.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    public Task ThawAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process!.Id.ToString()])!;
        await kill.WaitForExitAsync();
    }

    public string Tail(int lines = 40) => $"--- {name} (last {lines} lines) ---\n" + string.Join('\n', _output.TakeLast(lines));

    private void Record(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 2_000) _output.TryDequeue(out _);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) await ThawAsync();
        await StopAsync();
    }
}
