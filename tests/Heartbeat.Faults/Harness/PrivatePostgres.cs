using System.Diagnostics;

namespace Heartbeat.Faults.Harness;

/// <summary>
/// A PostgreSQL cluster of this test's own, in a temporary directory on a free port, so it can be stopped for real
/// without touching the shared server other tests use. Debian's PostgreSQL 15 binaries, run as the postgres user
/// when the suite runs as root (PostgreSQL refuses to run as root).
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"heartbeat-pg-{Guid.NewGuid():N}");

    public int Port { get; } = ServiceProcess.FreePort();
    public string ServerConnectionString => $"Host=127.0.0.1;Port={Port};Username=heartbeat;Password=heartbeat;Database=postgres";
    private string Data => Path.Combine(_directory, "data");

    public async Task StartAsync()
    {
        Directory.CreateDirectory(_directory);
        if (Environment.UserName == "root") await RunAsync("chown", "postgres:postgres", _directory);
        await AsPostgresAsync($"{Bin}/initdb", "-D", Data, "-U", "postgres", "--auth=trust", "--no-sync");
        await StartServerAsync();
        await AsPostgresAsync($"{Bin}/psql", "-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres", "-qc",
            "create role heartbeat login superuser password 'heartbeat'");
    }

    public Task StartServerAsync() => AsPostgresAsync($"{Bin}/pg_ctl", "-D", Data, "-l", Path.Combine(_directory, "log"), "-w",
        "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    /// <summary>A fast shutdown: every session is ended at once, as when the server goes away.</summary>
    public Task StopServerAsync() => AsPostgresAsync($"{Bin}/pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    public static bool Available => File.Exists($"{Bin}/initdb");

    private Task AsPostgresAsync(string program, params string[] args) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", program, .. args]) : RunAsync(program, args);

    private static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await AsPostgresAsync($"{Bin}/pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop"); } catch (InvalidOperationException) { }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
