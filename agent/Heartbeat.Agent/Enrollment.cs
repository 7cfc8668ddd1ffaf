using System.Net;
using Heartbeat.Client;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Agent;

/// <summary>
/// Finds the machine's identity: the configured id and token, else the state file, else (with an enrolment
/// key) a new enrolment, whose answer is written to the state file before the first heartbeat.
/// </summary>
public sealed class Enrollment(AgentSettings settings, MachineClient client, AgentLog log, TimeProvider clock)
{
    public async Task<MachineIdentity> IdentityAsync(string hostname, CancellationToken ct)
    {
        if (settings is { MachineId: { } id, Token: { } token }) return new MachineIdentity(id, token);
        if (AgentState.Read(settings.StateFile) is { } state)
        {
            log.Info($"using machine {state.MachineId} ({state.Name}) enrolled at {state.EnrolledAt:u}, from {settings.StateFile}");
            return new MachineIdentity(state.MachineId, state.Token);
        }
        if (settings.EnrollmentKey is not { } key)
            throw new AgentConfigException(
                $"No machine identity: set HEARTBEAT_MACHINE_ID and HEARTBEAT_TOKEN, or enrol with --enroll <enrolment key> (no state file at {settings.StateFile}).");
        return await EnrollAsync(key, hostname, null, ct);
    }

    /// <summary>
    /// Whether a refused token (401) can be mended by enrolling again: the identity came from enrolment (not
    /// from a configured id and token, which may name another machine) and the enrolment key is still given.
    /// </summary>
    public bool CanEnrollAgain => settings.MachineId is null && settings.EnrollmentKey is not null;

    /// <summary>Enrols again (the platform revoked this machine's token), keeping the new identity in the state file.</summary>
    public Task<MachineIdentity> EnrollAgainAsync(string hostname, string why, CancellationToken ct) =>
        EnrollAsync(settings.EnrollmentKey ?? throw new InvalidOperationException("no enrolment key"), hostname, why, ct);

    /// <summary>Retries while the platform cannot be reached (a new machine may boot before its network), never on a refusal.</summary>
    private async Task<MachineIdentity> EnrollAsync(string key, string hostname, string? why, CancellationToken ct)
    {
        var schedule = new HeartbeatSchedule(settings.Interval, clock.GetUtcNow(), Random.Shared);
        var streak = new FailureStreak(log);
        var request = new EnrollMachineRequest(settings.Name, hostname, settings.Tags.Count > 0 ? settings.Tags : null);
        while (true)
        {
            string reason;
            try
            {
                var machine = await client.EnrollAsync(request, key, ct);
                new AgentState(machine.Id, machine.Token, settings.Url.ToString(), machine.Name, clock.GetUtcNow()).Write(settings.StateFile);
                log.Info((why is null ? "" : why + "; ") + $"enrolled as machine {machine.Id} ({machine.Name}, {hostname}); identity kept in {settings.StateFile}");
                return new MachineIdentity(machine.Id, machine.Token);
            }
            catch (HeartbeatApiException problem)
            {
                if (problem.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
                    throw new AgentConfigException($"enrolment refused ({(int)problem.StatusCode}): {problem.Message}");
                reason = $"{(int)problem.StatusCode}: {problem.Message}";
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                reason = $"{settings.Url} did not answer: {e.Message}";
            }
            streak.Failed(clock.GetUtcNow(), "enrolment " + reason);
            var wait = schedule.NextAttempt(clock.GetUtcNow(), streak.Failures) - clock.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, ct);
        }
    }
}
