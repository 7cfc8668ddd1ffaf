using System.Net.Http.Headers;
using System.Net.Http.Json;
using Heartbeat.Contracts.Http;
using Marten;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector.Canary;

/// <summary>
/// The platform's own heartbeat, sent every <see cref="DetectorOptions.CanaryInterval"/> through the public path
/// (gateway → ingest → store) exactly as an agent sends one. Every detector instance sends, leader or standby, so
/// the canary keeps flowing across a failover and a standby knows, once it leads, whether intake failed meanwhile.
/// Each instance registers a canary machine of its own through the public API with the admin key it already has,
/// pauses it (a canary is never judged as a machine: its silence is an intake interruption instead), keeps the token
/// in memory only — nothing secret is stored — and retires it on a graceful stop. After a crash its canary is left
/// behind; the leader retires it once its heartbeats have stopped for a while (<see cref="CanaryReaper"/>).
/// </summary>
public sealed class CanarySender(
    IDocumentStore store,
    CanaryEvidence evidence,
    IConfiguration configuration,
    TimeProvider clock,
    IOptions<DetectorOptions> options,
    ILogger<CanarySender> logger) : BackgroundService
{
    // Half the canary timeout: a request that hangs (ingest frozen) is given up, with its reason, before the
    // interruption it causes is declared, so the recorded cause says what failed.
    private TimeSpan RequestTimeout => options.Value.CanaryTimeout / 2;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private RegisteredMachine? _canary;
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.CanaryUrl is not { } url)
        {
            logger.LogWarning("Detector:CanaryUrl is not set: no canary. Silence is judged on the store's evidence alone, so an outage of the gateway or ingest longer than a threshold would be mistaken for machine outages.");
            return;
        }
        _http.BaseAddress = url;
        _http.Timeout = RequestTimeout;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FirstAdminKey(configuration));
        using var timer = new PeriodicTimer(options.Value.CanaryInterval, clock);
        do
        {
            try
            {
                _canary ??= await RegisterAsync(stoppingToken);
                evidence.Own = _canary.Id;
                await SendAsync(_canary, stoppingToken);
                evidence.Accepted(clock.GetUtcNow());
                if (_failing) logger.LogInformation("Canary heartbeats are accepted again");
                _failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                var reason = Describe(e);
                evidence.Refused(clock.GetUtcNow(), reason);
                if (!_failing) logger.LogWarning("Canary heartbeat not accepted: {Reason}", reason);
                _failing = true;
                // The canary was retired or its token no longer matches (say its registration was lost): start afresh.
                if (e is CanaryRefused { Status: 401 or 404 }) _canary = null;
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_canary is not { } canary) return;
        try
        {
            // Bounded: a stop must not wait on a gateway that is down; a canary left behind stays paused and harmless.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RequestTimeout);
            await _http.DeleteAsync($"api/machines/{canary.Id}", timeout.Token);
            await using var session = store.LightweightSession();
            session.Delete<CanaryMachine>(canary.Id);
            await session.SaveChangesAsync(timeout.Token);
        }
        catch (Exception e)
        {
            logger.LogInformation("The canary machine {MachineId} was not retired on stop ({Error}); it stays paused", canary.Id, e.Message);
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task<RegisteredMachine> RegisterAsync(CancellationToken ct)
    {
        var request = new RegisterMachineRequest(
            "platform canary", Environment.MachineName,
            "Heartbeat.Platform's own heartbeat through the public path; proves intake works end to end. Paused: never judged as a machine.",
            [CanaryMachine.Tag], OfflineThresholdSeconds: 7 * 24 * 3600, ExpectedIntervalSeconds: 1);
        using var response = await _http.PostAsJsonAsync("api/machines", request, HeartbeatJson.Options, ct);
        await EnsureAcceptedAsync(response, "registering the canary");
        var canary = (await response.Content.ReadFromJsonAsync<RegisteredMachine>(HeartbeatJson.Options, ct))!;
        using (var paused = await _http.PostAsync($"api/machines/{canary.Id}/pause", null, ct))
            await EnsureAcceptedAsync(paused, "pausing the canary");
        await using var session = store.LightweightSession();
        session.Store(new CanaryMachine(canary.Id, $"{Environment.MachineName}/{Environment.ProcessId}", clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        logger.LogInformation("Canary machine {MachineId} registered; sending every {Interval} through {Url}", canary.Id, options.Value.CanaryInterval, _http.BaseAddress);
        return canary;
    }

    private async Task SendAsync(RegisteredMachine canary, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/heartbeat/{canary.Id}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", canary.Token);
        using var response = await _http.SendAsync(request, ct);
        await EnsureAcceptedAsync(response, "the canary heartbeat");
    }

    private static async Task EnsureAcceptedAsync(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync();
        throw new CanaryRefused((int)response.StatusCode, $"{what} got {(int)response.StatusCode} {response.ReasonPhrase} {body[..Math.Min(body.Length, 200)]}".Trim());
    }

    private string Describe(Exception e) => e switch
    {
        CanaryRefused refused => refused.Message,
        TaskCanceledException or TimeoutException => $"no answer from {_http.BaseAddress} within {RequestTimeout.TotalSeconds:F1} s",
        HttpRequestException http => $"{_http.BaseAddress} did not answer ({http.Message})",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    internal static string FirstAdminKey(IConfiguration configuration)
    {
        var section = configuration.GetSection("Heartbeat:AdminKeys");
        return section.GetChildren().Select(c => c.Value).Append(section.Value)
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .First();
    }

    private sealed class CanaryRefused(int status, string message) : Exception(message)
    {
        public int Status => status;
    }
}
