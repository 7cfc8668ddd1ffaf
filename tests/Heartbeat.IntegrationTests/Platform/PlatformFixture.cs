using System.Net.Http.Headers;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Notifications;
using Npgsql;
using Refit;

namespace Heartbeat.IntegrationTests.Platform;

/// <summary>
/// The whole platform, started once for all integration tests: ingest, detector, notifier and gateway as
/// real processes on free ports, a webhook channel pointing at a local receiver, and Refit clients that
/// speak to the gateway as users do. Tests use fresh machines instead of cleaning up.
/// </summary>
public class PlatformFixture : IAsyncLifetime
{
    public const string AdminKey = "test-admin-key";
    public const string ReadKey = "test-read-key";
    public const string PingApiKey = "test-ping-api-key-0123456789";
    public const string ChannelSecret = "test-channel-secret-0123456789";
    public const string EnrollmentKey = "test-enrollment-key";

    private readonly Infrastructure _infrastructure = new();
    private readonly List<ServiceProcess> _services = [];
    private readonly bool _canary;

    public PlatformFixture() : this(canary: false) { }

    /// <param name="canary">
    /// Whether the detector sends its canary through the gateway, so that stopping intake is recorded as a platform
    /// incident. Off for the shared fixture: on a box loaded by the suite itself a late canary would move deadlines
    /// and slow the timing tests down; <see cref="CanaryPlatformFixture"/> turns it on for the tests about incidents.
    /// </param>
    protected PlatformFixture(bool canary) => _canary = canary;

    public WebhookReceiver Webhooks { get; } = new();
    public OtlpReceiver Otlp { get; private set; } = null!;
    public ChannelFakes ChannelFakes { get; } = new();
    public ServiceProcess Ingest { get; private set; } = null!;
    public ServiceProcess Detector { get; private set; } = null!;
    public ServiceProcess Notifier { get; private set; } = null!;
    public ServiceProcess Prober { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public IMachinesApi Machines { get; private set; } = null!;
    public IChannelsApi Channels { get; private set; } = null!;
    public IHeartbeatApi Heartbeats { get; private set; } = null!;
    public NpgsqlDataSource Database { get; private set; } = null!;
    public string RabbitMqUri => _infrastructure.RabbitMqUri;

    public async Task InitializeAsync()
    {
        await _infrastructure.StartAsync();
        await Webhooks.StartAsync();
        await ChannelFakes.StartAsync();
        Otlp = await OtlpReceiver.StartAsync();
        Database = _infrastructure.OpenDatabase();

        var common = new Dictionary<string, string>
        {
            // Connecting may take longer than Npgsql's 15 s default on a box loaded by parallel builds and test runs.
            ["ConnectionStrings__Postgres"] = new NpgsqlConnectionStringBuilder(_infrastructure.PostgresConnectionString) { Timeout = 60 }.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = _infrastructure.RabbitMqUri,
            ["Heartbeat__AdminKeys"] = AdminKey,
            ["Heartbeat__ReadKeys"] = ReadKey,
            ["Heartbeat__PingApiKeys"] = PingApiKey,
            // The live stream's keep-alive well inside the gateway's activity timeout below (DashboardStreamTests).
            ["Status__KeepAlive"] = "1s",
            ["Heartbeat__EnrollmentKeys"] = EnrollmentKey,
            // Flapping within half a minute rather than half an hour, for notifier and detector alike (MachineNoticeTests).
            ["Heartbeat__Flapping__Window"] = "30s",
            // Traces (and logs) go over OTLP to the fixture's own receiver, as they would to a collector: every
            // test runs with tracing on, and TraceTests read the spans. Exported often, so a test waits little.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Otlp.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "60000",
        };
        Ingest = Service("services", "Heartbeat.Ingest", common);
        Detector = Service("services", "Heartbeat.Detector", common);
        Notifier = Service("services", "Heartbeat.Notifier", NotifierEnvironment(common));
        Prober = Service("services", "Heartbeat.Prober", common);
        Gateway = Service("gateway", "Heartbeat.Gateway", new Dictionary<string, string>(common)
        {
            ["ReverseProxy__Clusters__ingest__Destinations__d1__Address"] = Ingest.BaseAddress.ToString(),
            ["ReverseProxy__Clusters__detector__Destinations__d1__Address"] = Detector.BaseAddress.ToString(),
            ["ReverseProxy__Clusters__notifier__Destinations__d1__Address"] = Notifier.BaseAddress.ToString(),
            ["ReverseProxy__Clusters__prober__Destinations__d1__Address"] = Prober.BaseAddress.ToString(),
            // 100 s in production; short here so that a stream without keep-alives would visibly be cut.
            ["ReverseProxy__Clusters__detector__HttpRequest__ActivityTimeout"] = "00:00:05",
        });
        common["Ingest__PublicUrl"] = Gateway.BaseAddress.ToString();
        if (_canary) common["Detector__CanaryUrl"] = Gateway.BaseAddress.ToString();
        common["Retention__Interval"] = "1s"; // RetentionTests ages streams and waits for their removal

        // Ingest first: it creates the shared event store schema, so the others do not race to migrate it.
        Ingest.Start();
        await WaitUntilReadyAsync(Ingest);
        Detector.Start();
        Notifier.Start();
        Prober.Start();
        Gateway.Start();
        await WaitUntilReadyAsync(Gateway, "/health");
        await WaitUntilReadyAsync(Prober);

        Http = new HttpClient { BaseAddress = Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var admin = new HttpClient { BaseAddress = Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var settings = new RefitSettings(new SystemTextJsonContentSerializer(HeartbeatJson.Options));
        Machines = RestService.For<IMachinesApi>(admin, settings);
        Channels = RestService.For<IChannelsApi>(admin, settings);
        Heartbeats = RestService.For<IHeartbeatApi>(Http, settings);

        var channel = await Channels.Create(new CreateChannelRequest("test receiver", "webhook", Webhooks.Url.ToString(), ChannelSecret));
        if (!channel.IsSuccessStatusCode) throw new InvalidOperationException($"Creating the webhook channel failed: {channel.StatusCode} {channel.Error?.Message}");
        try
        {
            await WarmUpAsync();
        }
        catch (Exception e)
        {
            // The platform started but does not work end to end: say why, with what each service printed.
            throw new InvalidOperationException($"The platform's warm-up episode failed: {e.Message}\n{Logs()}", e);
        }
    }

    /// <summary>
    /// The notifier's settings for tests: receivers are on 127.0.0.1 (private targets allowed), the channel fakes, and
    /// retries seconds apart instead of minutes, so retry, fallback and restart tests finish quickly.
    /// </summary>
    private Dictionary<string, string> NotifierEnvironment(Dictionary<string, string> common)
    {
        var environment = new Dictionary<string, string>(common)
        {
            ["Notifier__AllowPrivateTargets"] = "true",
            ["Notifier__Delivery__FirstRetryDelay"] = "500ms",
            ["Notifier__Delivery__MaxRetryDelay"] = "2s",
            ["Notifier__Delivery__MaxAttempts"] = "8",
            ["Notifier__Delivery__AttemptTimeout"] = "5s",
            ["Notifier__Delivery__Lease"] = "15s",
            // No alert storms in the shared platform: many tests send 60–150 transitions at once and expect each told on
            // its own. StormDigestTests runs notifiers of its own with the default threshold.
            ["Notifier__Storm__Machines"] = "1000000",
        };
        foreach (var (key, value) in ChannelFakes.NotifierSettings) environment[key] = value;
        return environment;
    }

    /// <summary>Another notifier process with the same settings (started by the caller, stopped with the fixture).</summary>
    public ServiceProcess AddNotifierReplica(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var environment = NotifierEnvironment(new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = _infrastructure.PostgresConnectionString,
            ["ConnectionStrings__RabbitMq"] = _infrastructure.RabbitMqUri,
            ["Heartbeat__AdminKeys"] = AdminKey,
            ["Heartbeat__ReadKeys"] = ReadKey,
        });
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>()) environment[key] = value;
        return Service("services", "Heartbeat.Notifier", environment);
    }

    private ServiceProcess Service(string folder, string name, Dictionary<string, string> environment)
    {
        var project = Path.Combine(RepositoryRoot, folder, name);
        var service = new ServiceProcess(name, Path.Combine(project, "bin", BuildConfiguration, "net10.0", $"{name}.dll"), project, environment);
        _services.Add(service);
        return service;
    }

    /// <summary>
    /// One full outage before the tests: the first transition after start-up pays for JIT compilation and
    /// RabbitMQ topology (about half a second more, measured), which the timing tests are not about.
    /// </summary>
    private async Task WarmUpAsync() =>
        await RunEpisodeAsync(await RegisterAsync(thresholdSeconds: 1, name: "warm-up"), TimeSpan.FromSeconds(30));

    /// <summary>
    /// One whole outage of a machine with a short threshold: a heartbeat, silence until the offline webhook,
    /// a heartbeat until the online one. Then the machine is paused, so it starts no second episode.
    /// </summary>
    public async Task<(ReceivedWebhook Offline, ReceivedWebhook Online)> RunEpisodeAsync(RegisteredMachine machine, TimeSpan? timeout = null)
    {
        await SendHeartbeatAsync(machine);
        var offline = await Webhooks.WaitForAsync(machine.Id, "machine.offline", timeout ?? TimeSpan.FromSeconds(8));
        await SendHeartbeatAsync(machine);
        var online = await Webhooks.WaitForAsync(machine.Id, "machine.online", timeout ?? TimeSpan.FromSeconds(8));
        var paused = await Machines.Pause(machine.Id);
        Assert.True(paused.IsSuccessStatusCode, $"pause: {paused.StatusCode} {paused.Error?.Message}");
        return (offline, online);
    }

    public async Task<RegisteredMachine> RegisterAsync(int thresholdSeconds = 3, string? name = null)
    {
        var response = await Machines.Register(new RegisterMachineRequest(name ?? $"test-{Guid.NewGuid():N}"[..13], "host.test", "integration test", ["test"], thresholdSeconds));
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode} {response.Error?.Message}");
        return response.Content!;
    }

    public async Task<HeartbeatAccepted> SendHeartbeatAsync(RegisteredMachine machine, HeartbeatRequest? body = null)
    {
        var response = await Heartbeats.SendHeartbeat(machine.Id, body, machine.Token);
        Assert.True(response.IsSuccessStatusCode, $"heartbeat: {response.StatusCode} {response.Error?.Message}");
        return response.Content!;
    }

    /// <summary>
    /// Events in the store that concern the machine: its own stream plus its heartbeats — old single
    /// heartbeat events naming it, and its entries in group commits' HeartbeatsReceived events.
    /// </summary>
    public async Task<long> CountEventsAsync(Guid machineId)
    {
        await using var command = Database.CreateCommand("""
            select (select count(*) from heartbeat_events.mt_events where stream_id = $1 or data->>'MachineId' = $2)
                 + (select count(*) from heartbeat_events.mt_events e, jsonb_array_elements(e.data->'Heartbeats') h
                    where e.type = 'heartbeats_received' and h->>'m' = $2)
            """);
        command.Parameters.AddWithValue(machineId);
        command.Parameters.AddWithValue(machineId.ToString());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task RestartAsync(ServiceProcess service)
    {
        await service.StopAsync();
        service.Start();
        await WaitUntilReadyAsync(service);
    }

    /// <summary>Polls until the service answers 200, with a bound and the service's own output on failure.</summary>
    public async Task WaitUntilReadyAsync(ServiceProcess service, string path = "/health/ready", int seconds = 90)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        string last = "";
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (service.HasExited) break;
            try
            {
                var response = await http.GetAsync(new Uri(service.BaseAddress, path));
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e) { last = e.Message; }
            catch (TaskCanceledException) { last = "no answer within 5 s (still starting)"; }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{service.Name} was not ready at {path} within {seconds} s (last: {last}).\n" +
            string.Join('\n', _services.Select(s => s.Tail())));
    }

    public string Logs() => string.Join('\n', _services.Select(s => s.Tail()));

    public async Task DisposeAsync()
    {
        foreach (var service in _services) await service.DisposeAsync();
        await Webhooks.DisposeAsync();
        await ChannelFakes.DisposeAsync();
        if (Otlp is not null) await Otlp.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
        await _infrastructure.DisposeAsync();
    }

    private static string RepositoryRoot { get; } = FindRepositoryRoot();

    // tests/Heartbeat.IntegrationTests/bin/<Configuration>/net10.0/
    private static string BuildConfiguration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Heartbeat.Platform.sln"))) return dir.FullName;
        throw new InvalidOperationException("Heartbeat.Platform.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}

/// <summary>The platform with the detector's canary on: intake interruptions are really detected and recorded.</summary>
public sealed class CanaryPlatformFixture() : PlatformFixture(canary: true);

/// <summary>Runs on its own, after the shared platform's tests: a frozen ingest must not disturb anyone else's timing.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CanaryPlatformCollection : ICollectionFixture<CanaryPlatformFixture>
{
    public const string Name = "canary platform";
}
