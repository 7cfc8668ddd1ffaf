using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Heartbeat.IntegrationTests.Agent;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>The built `heartbeat` CLI and `heartbeat-agent`, run as the real processes users run.</summary>
public static class BuiltPrograms
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    // tests/Heartbeat.IntegrationTests/bin/<Configuration>/net10.0/
    private static string Configuration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public static string CliDll => Path.Combine(RepositoryRoot, "agent", "Heartbeat.Cli", "bin", Configuration, "net10.0", "heartbeat.dll");
    public static string AgentDll => Path.Combine(RepositoryRoot, "agent", "Heartbeat.Agent", "bin", Configuration, "net10.0", "heartbeat-agent.dll");

    /// <summary>Runs the CLI to its end (bounded), with only the environment given (plus PATH and HOME).</summary>
    public static async Task<CliResult> RunCliAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(CliDll, args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"heartbeat {string.Join(' ', args)} did not finish within 60 s");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static Process Start(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null) =>
        StartProgram("dotnet", [dll, .. args], environment, workingDirectory);

    /// <summary>Starts a program (a native executable, or one run through another such as qemu) in the same clean environment.</summary>
    public static Process StartProgram(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        // A clean environment: what the test gives, not the HEARTBEAT_* of whoever runs the suite.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("HEARTBEAT_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Heartbeat.Platform.sln"))) return dir.FullName;
        throw new InvalidOperationException("Heartbeat.Platform.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A running heartbeat agent whose log lines the test can read and wait for.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    public AgentProcess(IReadOnlyDictionary<string, string> environment, params string[] args)
        : this(BuiltPrograms.Start(BuiltPrograms.AgentDll, args, environment))
    {
    }

    /// <summary>An agent started another way (a published executable), whose log is read the same way.</summary>
    public AgentProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public IReadOnlyList<string> Lines => _lines.ToList();
    public string Log => string.Join('\n', _lines);

    /// <summary>SIGTERM, as systemd stops it; returns how long it took to exit.</summary>
    public async Task<TimeSpan> TerminateAsync()
    {
        var watch = Stopwatch.StartNew();
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await term!.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return watch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
