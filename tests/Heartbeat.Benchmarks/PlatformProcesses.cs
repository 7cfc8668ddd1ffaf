using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using Heartbeat.Contracts.Http;
using Npgsql;
using Refit;

namespace Heartbeat.Benchmarks;

/// <summary>
/// The platform under test: ingest, detector, notifier and gateway started from their Release build as
/// processes (ingest first, like scripts/up), against a freshly created database and RabbitMQ virtual host;
/// optionally a second gateway (the ceiling gateway) with one extra route to the harness's no-op backend.
/// With --gateway it attaches to a running platform instead and starts only the ceiling gateway.
/// Everything it started is stopped on dispose.
/// </summary>
public sealed class PlatformProcesses : IAsyncDisposable
{
    // BENCH_PORT_OFFSET moves every port, so a second checkout can bench at the same time (with its own database).
    private static readonly int Offset = int.TryParse(Environment.GetEnvironmentVariable("BENCH_PORT_OFFSET"), out var offset) ? offset : 0;
    public static readonly int IngestPort = 7101 + Offset, DetectorPort = 7102 + Offset, NotifierPort = 7103 + Offset, ProberPort = 7104 + Offset,
        GatewayPort = 7080 + Offset, CeilingGatewayPort = 7081 + Offset;

    private readonly BenchOptions _options;
    private readonly List<(string Name, Process Process)> _started = [];
    private readonly Dictionary<string, int> _pids = [];

    private PlatformProcesses(BenchOptions options, Uri gateway)
    {
        _options = options;
        Gateway = gateway;
        Admin = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.AdminKey);
        var settings = new RefitSettings(new SystemTextJsonContentSerializer(HeartbeatJson.Options));
        Machines = RestService.For<IMachinesApi>(Admin, settings);
        Channels = RestService.For<IChannelsApi>(Admin, settings);
        Database = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(options.Postgres) { MaxPoolSize = 2 }.ConnectionString);
    }

    public Uri Gateway { get; }
    public Uri? CeilingGateway { get; private set; }
    public Uri Detector => new($"http://127.0.0.1:{DetectorPort}");
    public HttpClient Admin { get; }
    public IMachinesApi Machines { get; }
    public IChannelsApi Channels { get; }
    public NpgsqlDataSource Database { get; }

    /// <summary>The service processes by name (ingest, detector, notifier, gateway, ceiling gateway), for sampling.</summary>
    public IReadOnlyDictionary<string, int> Pids => _pids;

    public static async Task<PlatformProcesses> StartAsync(BenchOptions options, bool withCeilingGateway, CancellationToken ct, bool withProber = false)
    {
        if (!options.StartsPlatform)
        {
            var attached = new PlatformProcesses(options, options.Gateway!);
            foreach (var name in new[] { "Heartbeat.Ingest", "Heartbeat.Detector", "Heartbeat.Notifier", "Heartbeat.Prober", "Heartbeat.Gateway" })
                if (FindByCommandLine(name + ".dll").FirstOrDefault() is var pid and > 0) attached._pids[Short(name)] = pid;
            Console.Error.WriteLine($"[bench] using the running platform at {options.Gateway} (pids: {string.Join(", ", attached._pids)})");
            if (withCeilingGateway) await attached.StartCeilingGatewayAsync(ct);
            return attached;
        }

        await RecreateDatabaseAsync(options, ct);
        await ResetVirtualHostAsync(options, ct);
        var platform = new PlatformProcesses(options, new Uri($"http://127.0.0.1:{GatewayPort}"));
        try
        {
            platform.Start("services", "Heartbeat.Ingest", IngestPort);
            await WaitForAsync(platform, $"http://127.0.0.1:{IngestPort}/health/live", TimeSpan.FromSeconds(60), ct);
            platform.Start("services", "Heartbeat.Detector", DetectorPort);
            platform.Start("services", "Heartbeat.Notifier", NotifierPort);
            if (withProber) platform.Start("services", "Heartbeat.Prober", ProberPort);
            platform.Start("gateway", "Heartbeat.Gateway", GatewayPort);
            await WaitForAsync(platform, $"http://127.0.0.1:{GatewayPort}/health", TimeSpan.FromSeconds(90), ct);
            if (withCeilingGateway) await platform.StartCeilingGatewayAsync(ct);
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    /// <summary>The same gateway build and appsettings on another port, plus a route to the no-op backend.</summary>
    private async Task StartCeilingGatewayAsync(CancellationToken ct)
    {
        Start("gateway", "Heartbeat.Gateway", CeilingGatewayPort, "ceiling-gateway", new Dictionary<string, string>
        {
            ["ReverseProxy__Routes__noop__ClusterId"] = "noop",
            ["ReverseProxy__Routes__noop__Match__Path"] = "/bench/noop/{**rest}",
            ["ReverseProxy__Clusters__noop__Destinations__d1__Address"] = $"http://127.0.0.1:{NoopBackend.Port}",
        });
        CeilingGateway = new Uri($"http://127.0.0.1:{CeilingGatewayPort}");
        // Its /health also asks the no-op backend's /health/ready, so 200 means the whole ceiling path is up.
        await WaitForAsync(this, $"{CeilingGateway}health", TimeSpan.FromSeconds(60), ct);
    }

    private void Start(string folder, string project, int port, string? name = null, Dictionary<string, string>? extra = null)
    {
        name ??= Short(project);
        var directory = Path.Combine(_options.RepositoryRoot, folder, project);
        var dll = Path.Combine(directory, "bin", "Release", "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{project} is not built in Release at {dll}: run scripts/bench (it builds first)", dll);
        Directory.CreateDirectory(_options.LogDirectory);
        var log = Path.Combine(_options.LogDirectory, $"{project}{(name == "ceiling-gateway" ? ".ceiling" : "")}.log");
        File.AppendAllText(log, $"==== {DateTimeOffset.Now:O} {name} on :{port}\n");
        // exec: the shell is replaced by dotnet, so the pid we keep is the service's own.
        var start = new ProcessStartInfo("/bin/sh", ["-c", "exec dotnet \"$0\" --urls \"$1\" >>\"$2\" 2>&1", dll, $"http://127.0.0.1:{port}", log])
        {
            WorkingDirectory = directory, // the content root, as with scripts/up (the gateway serves wwwroot from it)
            UseShellExecute = false,
        };
        var gateway = new Uri($"http://127.0.0.1:{GatewayPort}");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = _options.Postgres,
            ["ConnectionStrings__RabbitMq"] = _options.RabbitMq,
            ["Heartbeat__AdminKeys"] = _options.AdminKey,
            ["Heartbeat__ReadKeys"] = "",
            ["Ingest__PublicUrl"] = gateway.ToString(),
            // The storage scenario ages heartbeat streams and waits for the real retention to drop them.
            ["Retention__Interval"] = "2s",
            // The harness's webhook receivers are on 127.0.0.1.
            ["Notifier__AllowPrivateTargets"] = "true",
            // The notify scenario measures one webhook per machine for thousands going offline at once: with alert
            // storms on, all but the first 20 would be merged into one digest.
            ["Notifier__Storm__Machines"] = "1000000",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // wrk cycles through the machines far faster than one heartbeat a second each: the per-machine limit
            // still runs (its cost is measured) but with room enough that it refuses nothing.
            ["RateLimits__HeartbeatsPerSecond"] = "1000",
            ["RateLimits__HeartbeatBurst"] = "1000",
            ["ReverseProxy__Clusters__ingest__Destinations__d1__Address"] = $"http://127.0.0.1:{IngestPort}",
            ["ReverseProxy__Clusters__detector__Destinations__d1__Address"] = $"http://127.0.0.1:{DetectorPort}",
            ["ReverseProxy__Clusters__notifier__Destinations__d1__Address"] = $"http://127.0.0.1:{NotifierPort}",
        };
        // Opt-in, to compare: the services have no appsettings.json, so ASP.NET Core logs every request at
        // Information (as with scripts/up). BENCH_ASPNETCORE_LOG_LEVEL=Warning quiets that category.
        if (Environment.GetEnvironmentVariable("BENCH_ASPNETCORE_LOG_LEVEL") is { Length: > 0 } level)
            environment["Logging__LogLevel__Microsoft.AspNetCore"] = level;
        foreach (var (key, value) in extra ?? []) environment[key] = value;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        _started.Add((name, process));
        _pids[name] = process.Id;
        Console.Error.WriteLine($"[bench] {name} started on :{port} (pid {process.Id}, log {Path.GetRelativePath(_options.RepositoryRoot, log)})");
    }

    private static async Task WaitForAsync(PlatformProcesses platform, string url, TimeSpan bound, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTimeOffset.UtcNow + bound;
        var last = "";
        while (DateTimeOffset.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (platform._started.FirstOrDefault(s => s.Process.HasExited) is { Process: not null } dead)
                throw new InvalidOperationException($"{dead.Name} exited during start-up (code {dead.Process.ExitCode}); see .run/bench-logs/");
            try
            {
                using var response = await http.GetAsync(url, ct);
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
            }
            catch (HttpRequestException e) { last = e.Message; }
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"{url} did not answer 200 within {bound.TotalSeconds:F0} s (last: {last}); see .run/bench-logs/");
    }

    /// <summary>Every run starts from an empty event store: drop and create the bench database (the role has CREATEDB).</summary>
    private static async Task RecreateDatabaseAsync(BenchOptions options, CancellationToken ct)
    {
        var name = options.DatabaseName;
        if (!name.StartsWith("heartbeat_bench", StringComparison.Ordinal))
            throw new UsageException($"refusing to drop database {name}: the harness only recreates databases named heartbeat_bench*");
        var server = new NpgsqlConnectionStringBuilder(options.Postgres) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(ct);
        // An autovacuum worker busy on the previous run's tables cannot be terminated by our role (42501);
        // it finishes or yields within seconds, so the drop is retried, bounded.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
                await drop.ExecuteNonQueryAsync(ct);
                break;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 60)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
        await using (var create = new NpgsqlCommand($"create database {name}", connection))
            await create.ExecuteNonQueryAsync(ct);
        NpgsqlConnection.ClearAllPools();
        Console.Error.WriteLine($"[bench] database {name} created afresh");
    }

    /// <summary>A fresh virtual host too, so no transition queued by an earlier run reaches this one's notifier.</summary>
    private static async Task ResetVirtualHostAsync(BenchOptions options, CancellationToken ct)
    {
        var vhost = Uri.UnescapeDataString(new Uri(options.RabbitMq).AbsolutePath.TrimStart('/'));
        if (vhost is "" or "/") return;
        foreach (var args in new[] { new[] { "-q", "delete_vhost", vhost }, ["-q", "add_vhost", vhost], ["-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"] })
        {
            var start = new ProcessStartInfo("rabbitmqctl", args) { RedirectStandardOutput = true, RedirectStandardError = true };
            try
            {
                using var process = Process.Start(start)!;
                await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"[bench] rabbitmqctl not found: using virtual host {vhost} as it is");
                return;
            }
        }
    }

    public static IEnumerable<int> FindByCommandLine(string fragment)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string commandLine;
            try { commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            if (commandLine.Contains(fragment, StringComparison.Ordinal)) yield return pid;
        }
    }

    private static string Short(string project) => project["Heartbeat.".Length..].ToLowerInvariant();

    public async ValueTask DisposeAsync()
    {
        // SIGTERM first so the hosts stop cleanly; SIGKILL whatever has not exited within 10 s.
        foreach (var (_, process) in _started)
            if (!process.HasExited) _ = Kill(process.Id, 15);
        foreach (var (name, process) in _started)
        {
            try { await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); }
            catch (TimeoutException)
            {
                Console.Error.WriteLine($"[bench] {name} did not stop within 10 s; killing it");
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }
        if (_started.Count > 0) Console.Error.WriteLine("[bench] stopped " + string.Join(", ", _started.Select(s => s.Name)));
        _started.Clear();
        Admin.Dispose();
        await Database.DisposeAsync();
    }

#pragma warning disable SYSLIB1054 // one plain int call; no marshalling to generate
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
