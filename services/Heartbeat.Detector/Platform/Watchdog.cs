using Heartbeat.Detector.Detection;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector.Platform;

/// <summary>
/// The outbound dead-man's switch: while this instance leads and is really judging (caught up, intake proven), it
/// POSTs to <see cref="DetectorOptions.WatchdogUrl"/> every <see cref="DetectorOptions.WatchdogInterval"/>. An
/// external monitor (another Heartbeat.Platform, or any heartbeat service) then notices when detection stops —
/// a crash, no leader, a stalled tracker or an intake interruption all stop the POSTs.
/// </summary>
public sealed class Watchdog(DetectionHealthCheck health, TimeProvider clock, IOptions<DetectorOptions> options, ILogger<Watchdog> logger)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken ct)
    {
        if (options.Value.WatchdogUrl is not { } url) return;
        using var http = new HttpClient { Timeout = RequestTimeout };
        using var timer = new PeriodicTimer(options.Value.WatchdogInterval, clock);
        var failing = false;
        do
        {
            if (!health.IsJudging()) continue;
            try
            {
                using var response = await http.PostAsync(url, null, ct);
                response.EnsureSuccessStatusCode();
                if (failing) logger.LogInformation("Watchdog {Url} answers again", url.GetLeftPart(UriPartial.Path));
                failing = false;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The URL may carry a secret in its query: only its path is logged.
                if (!failing) logger.LogWarning("Watchdog POST to {Url} failed: {Error}", url.GetLeftPart(UriPartial.Path), e.Message);
                failing = true;
            }
        } while (await timer.WaitForNextTickAsync(ct));
    }
}
