using System.Collections.Concurrent;
using System.Diagnostics;
using Heartbeat.Faults.Harness;
using Npgsql;

namespace Heartbeat.Faults;

/// <summary>The local runner keeps the platform running when one process dies.</summary>
public class ScriptsUpTests
{
    private static readonly string[] Services = ["Heartbeat.Ingest", "Heartbeat.Detector", "Heartbeat.Notifier", "Heartbeat.Gateway"];

    [Fact]
    public async Task Any_one_service_killed_under_scripts_up_is_back_and_healthy_within_30_seconds()
    {
        var server = Environment.GetEnvironmentVariable("HEARTBEAT_TEST_POSTGRES") ?? throw new InvalidOperationException("Run through scripts/test");
        var database = $"heartbeat_up_{Guid.NewGuid():N}"[..32];
        await using (var admin = NpgsqlDataSource.Create(server))
        await using (var create = admin.CreateCommand($"create database {database}"))
            await create.ExecuteNonQueryAsync();
        var ports = Services.ToDictionary(s => s, _ => ServiceProcess.FreePort());
        var gateway = new Uri($"http://127.0.0.1:{ports["Heartbeat.Gateway"]}");
        var runDir = Directory.CreateTempSubdirectory("heartbeat-up-").FullName;
        var start = new ProcessStartInfo("bash", [Path.Combine(FaultPlatform.RepositoryRoot, "scripts", "up")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = FaultPlatform.RepositoryRoot,
            Environment =
            {
                ["GATEWAY_URL"] = gateway.ToString().TrimEnd('/'),
                ["HEARTBEAT_INGEST_PORT"] = ports["Heartbeat.Ingest"].ToString(),
                ["HEARTBEAT_DETECTOR_PORT"] = ports["Heartbeat.Detector"].ToString(),
                ["HEARTBEAT_NOTIFIER_PORT"] = ports["Heartbeat.Notifier"].ToString(),
                ["HEARTBEAT_RUN_DIR"] = runDir,
                ["HEARTBEAT_UP_NO_BUILD"] = "1",
                ["HEARTBEAT_ADMIN_KEY"] = "up-admin-key",
                ["ConnectionStrings__Postgres"] = new NpgsqlConnectionStringBuilder(server) { Database = database, Timeout = 60 }.ConnectionString,
                ["ConnectionStrings__RabbitMq"] = Environment.GetEnvironmentVariable("HEARTBEAT_TEST_RABBITMQ")!,
            },
        };
        var output = new ConcurrentQueue<string>();
        using var up = Process.Start(start)!;
        up.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        up.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        up.BeginOutputReadLine();
        up.BeginErrorReadLine();
        string Said() => string.Join('\n', output);
        try
        {
            await Eventually.Async(() => Task.FromResult(Said()), s => s.Contains("is up at") || up.HasExited,
                "scripts/up saying the platform is up", TimeSpan.FromSeconds(240), TimeSpan.FromMilliseconds(250));
            Assert.False(up.HasExited, $"scripts/up exited during start-up:\n{Said()}");

            using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(5) };
            foreach (var service in Services)
            {
                var victim = ProcessOf(service, ports[service]);
                using (var kill = Process.Start("kill", ["-9", victim.ToString()])!) await kill.WaitForExitAsync();
                var killedAt = Stopwatch.StartNew();
                await Eventually.Async(async () => ProcessOf(service, ports[service]) is var pid && pid != 0 && pid != victim && await HealthyAsync(http),
                    ok => ok, $"{service} restarted by scripts/up and GET /health 200 after its kill -9\n{Said()}", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250));
                Console.WriteLine($"scripts/up: {service} killed; back and /health 200 after {killedAt.Elapsed.TotalSeconds:F1} s");
                Assert.False(up.HasExited, $"scripts/up itself exited after {service} was killed:\n{Said()}");
            }
            Assert.Contains("Heartbeat.Notifier exited (status 137); restarting", Said());
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", up.Id.ToString()])!) await term.WaitForExitAsync();
            try { await up.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60)); }
            catch (TimeoutException) { up.Kill(entireProcessTree: true); }
            NpgsqlConnection.ClearAllPools();
            await using var admin = NpgsqlDataSource.Create(server);
            await using var drop = admin.CreateCommand($"drop database if exists {database} with (force)");
            await drop.ExecuteNonQueryAsync();
        }
        Assert.Equal(0, up.ExitCode);
        Assert.All(Services, s => Assert.Equal(0, ProcessOf(s, ports[s])));
    }

    private static async Task<bool> HealthyAsync(HttpClient http)
    {
        try { return (await http.GetAsync("/health")).IsSuccessStatusCode; }
        catch (Exception) { return false; }
    }

    /// <summary>The service's process id, found by its unique port on its command line; 0 when none runs.</summary>
    private static int ProcessOf(string service, int port)
    {
        using var pgrep = Process.Start(new ProcessStartInfo("pgrep", ["-f", $"{service}.dll --urls http://[^ ]*:{port}"]) { RedirectStandardOutput = true })!;
        var found = pgrep.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        pgrep.WaitForExit();
        return found.Length == 1 ? int.Parse(found[0]) : 0;
    }
}
