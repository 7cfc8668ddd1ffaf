using System.Net;
using Heartbeat.Client;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Agent;

/// <summary>The machine's identity on the platform: from configuration, or from the state file enrolment wrote.</summary>
public sealed record MachineIdentity(Guid MachineId, string Token);

/// <summary>Why a heartbeat was not stored; <see cref="TokenRefused"/> when the platform answered 401 to the machine token.</summary>
public sealed record HeartbeatFailure(string Reason, bool TokenRefused = false)
{
    public override string ToString() => Reason;
}

/// <summary>
/// Sends the heartbeats: checks and metrics, one POST, the schedule, the failure streak. With
/// <paramref name="enrollAgain"/>, a machine token the platform refused (the same name and hostname enrolled
/// again elsewhere, say a re-imaged copy) is replaced once by enrolling again; only once per run, so that two
/// machines enrolling under the same name cannot revoke each other's tokens in turn for ever.
/// </summary>
public sealed class HeartbeatAgent(
    AgentSettings settings, MachineClient client, ProbeRunner probes, AgentLog log, TimeProvider clock,
    Func<string, CancellationToken, Task<MachineIdentity>>? enrollAgain = null)
{
    public static readonly string Version = typeof(HeartbeatAgent).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Runs until <paramref name="ct"/> is cancelled (SIGTERM): a wait or a request under way is abandoned at once.</summary>
    public async Task RunAsync(MachineIdentity identity, CancellationToken ct)
    {
        var schedule = new HeartbeatSchedule(settings.Interval, clock.GetUtcNow(), Random.Shared);
        var streak = new FailureStreak(log);
        log.Info($"sending heartbeats for machine {identity.MachineId} to {settings.Url} every {settings.Interval.TotalSeconds:0.###} s" +
                 (settings.Checks.Count + settings.Metrics.Count > 0 ? $" with {settings.Checks.Count} check(s) and {settings.Metrics.Count} metric(s)" : ""));
        var enrolledAgain = false;
        while (true)
        {
            var failure = await SendAsync(identity, ct);
            if (failure is { TokenRefused: true } && enrollAgain is not null)
            {
                if (!enrolledAgain)
                {
                    enrolledAgain = true;
                    identity = await enrollAgain(failure.Reason, ct);
                    failure = await SendAsync(identity, ct);
                }
                else
                {
                    failure = failure with { Reason = failure.Reason + " (this agent enrolled again once already: is another machine enrolling with the same name and hostname?)" };
                }
            }
            var now = clock.GetUtcNow();
            if (failure is null) streak.Succeeded(now);
            else streak.Failed(now, failure.Reason);
            var wait = schedule.NextAttempt(now, streak.Failures) - clock.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, ct);
        }
    }

    /// <returns>Null when the platform stored the heartbeat, else why not.</returns>
    public async Task<HeartbeatFailure?> SendAsync(MachineIdentity identity, CancellationToken ct)
    {
        var body = await BuildAsync(ct);
        try
        {
            await client.SendHeartbeatAsync(identity.MachineId, identity.Token, body, ct);
            return null;
        }
        catch (HeartbeatApiException problem)
        {
            return problem.StatusCode == HttpStatusCode.Unauthorized
                ? new HeartbeatFailure("the platform refused the machine token (401): the machine was removed, or enrolled again elsewhere", TokenRefused: true)
                : new HeartbeatFailure($"{(int)problem.StatusCode}: {problem.Message}");
        }
        // The client's timeout cancels without our token being cancelled; our token cancelled is SIGTERM, let through.
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return new HeartbeatFailure($"{settings.Url} did not answer: {e.Message}");
        }
    }

    private async Task<HeartbeatRequest> BuildAsync(CancellationToken ct)
    {
        if (settings.Checks.Count == 0 && settings.Metrics.Count == 0) return new HeartbeatRequest(Version);
        var (checks, metrics, problems) = await probes.RunAsync(settings.Checks, settings.Metrics, ct);
        foreach (var problem in problems) log.Warn(problem);
        var failed = checks.Where(c => !c.Passed).ToList();
        return new HeartbeatRequest(
            Version,
            failed.Count > 0 ? "warning" : "ok",
            failed.Count > 0 ? ProbeOutput.WarningMessage(failed) : null,
            metrics.Count > 0 ? metrics : null);
    }
}
