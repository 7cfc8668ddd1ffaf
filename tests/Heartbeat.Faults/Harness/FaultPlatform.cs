using System.Net.Http.Headers;
using System.Net.Http.Json;
using Heartbeat.Contracts.Http;
using Npgsql;
using Refit;

namespace Heartbeat.Faults.Harness;

/// <summary>
/// A whole platform of its own for fault injection: a fresh database on the given PostgreSQL server, ingest,
/// <see cref="DetectorCount"/> detectors (the gateway balances reads over them), notifier and gateway as real
/// processes, a webhook channel to a local receiver. Thresholds are short (5 s) so a fault of twice the threshold
/// fits the CI budget; the canary sends every second through the gateway and counts as interrupted after 2 s.
/// </summary>
public sealed class FaultPlatform(string serverConnectionString, string rabbitMqUri, int detectorCount = 2) : IAsyncDisposable
{
    public const string AdminKey = "fault-admin-key";
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(5);
    private readonly List<ServiceProcess> _services = [];
    private readonly List<CancellationTokenSource> _senders = [];
    private readonly string _database = $"heartbeat_faults_{Guid.NewGuid():N}"[..32];

    public int DetectorCount => detectorCount;
    public WebhookReceiver Webhooks { get; } = new();
    public ServiceProcess Ingest { get; private set; } = null!;
    public List<ServiceProcess> Detectors { get; } = [];
    public ServiceProcess Notifier { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;
    public NpgsqlDataSource Database { get; private set; } = null!;
    public IMachinesApi Machines { get; private set; } = null!;
    public IHeartbeatApi Heartbeats { get; private set; } = null!;
    public IPlatformApi Platform { get; private set; } = null!;

    public static FaultPlatform FromEnvironment(int detectorCount = 2) => new(
        Environment.GetEnvironmentVariable("HEARTBEAT_TEST_POSTGRES") ?? throw new InvalidOperationException("Run the fault suite through scripts/test (HEARTBEAT_TEST_POSTGRES is not set)."),
        Environment.GetEnvironmentVariable("HEARTBEAT_TEST_RABBITMQ") ?? throw new InvalidOperationException("Run the fault suite through scripts/test (HEARTBEAT_TEST_RABBITMQ is not set)."),
        detectorCount);

    // Generous connect timeout: the shared CI box can be very busy, and a service that cannot open a connection in
    // its first seconds exits at start-up.
    public string ConnectionString => new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = _database, Timeout = 60 }.ConnectionString;

    public async Task StartAsync()
    {
        await using (var server = NpgsqlDataSource.Create(serverConnectionString))
        await using (var create = server.CreateCommand($"create database {_database}"))
            await create.ExecuteNonQueryAsync();
        Database = NpgsqlDataSource.Create(ConnectionString);
        await Webhooks.StartAsync();

        var common = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = ConnectionString,
            ["ConnectionStrings__RabbitMq"] = rabbitMqUri,
            ["Heartbeat__AdminKeys"] = AdminKey,
            // The suite's webhook receiver is on 127.0.0.1, which the notifier refuses by default.
            ["Notifier__AllowPrivateTargets"] = "true",
        };
        Ingest = Service("services", "Heartbeat.Ingest", common);
        for (var i = 0; i < detectorCount; i++) Detectors.Add(Service("services", "Heartbeat.Detector", common));
        Notifier = Service("services", "Heartbeat.Notifier", common);
        var gateway = new Dictionary<string, string>(common)
        {
            ["ReverseProxy__Clusters__ingest__Destinations__d1__Address"] = Ingest.BaseAddress.ToString(),
            ["ReverseProxy__Clusters__notifier__Destinations__d1__Address"] = Notifier.BaseAddress.ToString(),
            // Fast health probes: a frozen or dead destination leaves the rotation within a second or two.
            ["ReverseProxy__Clusters__detector__HealthCheck__Active__Interval"] = "00:00:01",
            ["ReverseProxy__Clusters__ingest__HealthCheck__Active__Interval"] = "00:00:01",
        };
        for (var i = 0; i < detectorCount; i++)
            gateway[$"ReverseProxy__Clusters__detector__Destinations__d{i + 1}__Address"] = Detectors[i].BaseAddress.ToString();
        Gateway = Service("gateway", "Heartbeat.Gateway", gateway);
        common["Ingest__PublicUrl"] = Gateway.BaseAddress.ToString();
        common["Detector__CanaryUrl"] = Gateway.BaseAddress.ToString();
        common["Detector__CanaryTimeout"] = "2s";
        // A crashed instance's canary is retired after 10 s of silence (default 1 min), so the suite sees it happen.
        common["Detector__CanaryAbandonedAfter"] = "10s";

        // One at a time, each retried if it exits while starting: schema migrations must not race on a busy box.
        foreach (var service in _services) await StartLiveAsync(service);
        await WaitUntilReadyAsync(Gateway, "/health");

        var settings = new RefitSettings(new SystemTextJsonContentSerializer(HeartbeatJson.Options));
        Machines = RestService.For<IMachinesApi>(Admin(Gateway.BaseAddress), settings);
        Platform = RestService.For<IPlatformApi>(Admin(Gateway.BaseAddress), settings);
        Heartbeats = RestService.For<IHeartbeatApi>(new HttpClient { BaseAddress = Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) }, settings);
        using var channels = Admin(Gateway.BaseAddress);
        var channel = await channels.PostAsJsonAsync("/api/channels", new CreateChannelRequest("fault receiver", "webhook", Webhooks.Url.ToString(), "fault-channel-secret-0123456789"), HeartbeatJson.Options);
        if (!channel.IsSuccessStatusCode) throw new InvalidOperationException($"Creating the webhook channel failed: {channel.StatusCode}");
        await JudgingLeaderAsync(TimeSpan.FromSeconds(60));
    }

    private ServiceProcess Service(string folder, string name, Dictionary<string, string> environment)
    {
        var project = Path.Combine(RepositoryRoot, folder, name);
        // The environment dictionary is shared on purpose: settings added after creation (the gateway's address) reach every service.
        var service = new ServiceProcess(name, Path.Combine(project, "bin", BuildConfiguration, "net10.0", $"{name}.dll"), project, environment);
        _services.Add(service);
        return service;
    }

    public static HttpClient Admin(Uri baseAddress)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
    }

    public async Task<RegisteredMachine> RegisterAsync(string name)
    {
        var response = await Machines.Register(new RegisterMachineRequest(name, "fault.test", "fault suite", ["fault"], (int)Threshold.TotalSeconds, 1));
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode} {response.Error?.Message}");
        return response.Content!;
    }

    public async Task SendAsync(RegisteredMachine machine)
    {
        var response = await Heartbeats.SendHeartbeat(machine.Id, null, machine.Token);
        Assert.True(response.IsSuccessStatusCode, $"heartbeat: {response.StatusCode} {response.Error?.Message}\n{Logs()}");
    }

    /// <summary>
    /// An agent that keeps trying every second whatever the answer, until the returned source is cancelled. Each
    /// heartbeat is its own request (10 s timeout), so one slow answer on a busy box does not delay the next.
    /// </summary>
    public CancellationTokenSource KeepSending(RegisteredMachine machine)
    {
        var stop = new CancellationTokenSource();
        _senders.Add(stop);
        _ = Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", machine.Token);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            do
            {
                _ = SendOnceAsync(http, machine.Id, stop.Token);
            } while (await WaitAsync(timer, stop.Token));
        });
        return stop;
    }

    private static async Task SendOnceAsync(HttpClient http, Guid machineId, CancellationToken ct)
    {
        try { (await http.PostAsync($"/api/heartbeat/{machineId}", null, ct)).Dispose(); }
        catch (Exception) { /* the platform is down: an agent just tries again */ }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    public async Task<DetectionView?> DetectionAsync(ServiceProcess detector)
    {
        if (detector.HasExited) return null;
        try
        {
            using var http = Admin(detector.BaseAddress);
            http.Timeout = TimeSpan.FromSeconds(3);
            return await http.GetFromJsonAsync<DetectionView>("/api/platform/detection", HeartbeatJson.Options);
        }
        catch (Exception) { return null; }
    }

    /// <summary>Waits until exactly one detector leads and judges; returns it.</summary>
    public async Task<ServiceProcess> JudgingLeaderAsync(TimeSpan within)
    {
        var views = await Eventually.Async(
            async () => await Task.WhenAll(Detectors.Select(DetectionAsync)),
            v => v.Count(d => d?.JudgingSince is not null) == 1,
            "exactly one detector leading and judging", within);
        return Detectors[Array.FindIndex(views, d => d?.JudgingSince is not null)];
    }

    /// <summary>Transitions in the store for these machines, by kind: what history, uptime and notifications come from.</summary>
    public async Task<(long Offline, long Online, long Late)> TransitionsAsync(IEnumerable<Guid> machines)
    {
        await using var command = Database.CreateCommand("""
            select count(*) filter (where type = 'machine_went_offline'), count(*) filter (where type = 'machine_went_online'),
                   count(*) filter (where type = 'machine_went_offline' and (data->>'DetectedLate')::boolean)
            from heartbeat_events.mt_events where stream_id = any($1)
            """);
        command.Parameters.AddWithValue(machines.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>The canary machines the detector instances registered and have not retired (the detector's own record of them).</summary>
    public async Task<IReadOnlyList<Guid>> CanariesAsync()
    {
        await using var command = Database.CreateCommand("select id from detector.mt_doc_canarymachine order by id");
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public async Task<IReadOnlyList<IntakeIncidentView>> IncidentsAsync()
    {
        var response = await Platform.Incidents();
        Assert.True(response.IsSuccessStatusCode, $"incidents: {response.StatusCode}");
        return response.Content!;
    }

    /// <summary>Starts the service and waits until it answers /health/live; a start that exits is tried again (three times at most).</summary>
    public async Task StartLiveAsync(ServiceProcess service)
    {
        for (var attempt = 1; ; attempt++)
        {
            service.Start();
            try
            {
                await WaitUntilReadyAsync(service, "/health/live");
                return;
            }
            catch (TimeoutException) when (attempt < 3 && service.HasExited) { }
        }
    }

    /// <summary>The incidents, or none while the platform cannot answer (its database down).</summary>
    public async Task<IReadOnlyList<IntakeIncidentView>> IncidentsAsyncOrEmpty()
    {
        try
        {
            var response = await Platform.Incidents();
            return response.IsSuccessStatusCode ? response.Content! : [];
        }
        catch (Exception) { return []; }
    }

    /// <summary>Polls until the service answers 200, with a bound and the services' output on failure.</summary>
    public async Task WaitUntilReadyAsync(ServiceProcess service, string path = "/health/ready", int seconds = 90)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        var last = "";
        while (DateTimeOffset.UtcNow < deadline && !service.HasExited)
        {
            try
            {
                var response = await http.GetAsync(new Uri(service.BaseAddress, path));
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) { last = e.Message; }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{service.Name} was not ready at {path} within {seconds} s (last: {last}).\n{Logs()}");
    }

    public string Logs() => string.Join('\n', _services.Select(s => s.Tail()));

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders) await sender.CancelAsync();
        foreach (var service in _services) await service.DisposeAsync();
        await Webhooks.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var server = NpgsqlDataSource.Create(serverConnectionString);
            await using var drop = server.CreateCommand($"drop database if exists {_database} with (force)");
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException) { /* a private server may already be gone with its data directory */ }
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    // tests/Heartbeat.Faults/bin/<Configuration>/net10.0/
    public static string BuildConfiguration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Heartbeat.Platform.sln"))) return dir.FullName;
        throw new InvalidOperationException("Heartbeat.Platform.sln not found above " + AppContext.BaseDirectory);
    }
}
