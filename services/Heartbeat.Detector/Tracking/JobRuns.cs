using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// A job's runs, from the run signals its heartbeats carry: a start opens a run; the next heartbeat that is not a log
/// line ends it — a success, a failure report or an exit code — and its duration is recorded as <see cref="RunFinished"/>.
/// Pure: the machine and a heartbeat in, the run it ends and the machine after it out.
/// </summary>
public static class JobRuns
{
    /// <summary>The run this heartbeat ends, or null: none in progress, or a log line, or another start (which replaces the start, see <see cref="Track"/>).</summary>
    public static RunFinished? Finished(TrackedMachine machine, HeartbeatEntry heartbeat)
    {
        if (machine.RunStartedAt is not { } started || heartbeat.Run?.Signal is RunSignal.Logged or RunSignal.Started) return null;
        // Never negative: a heartbeat from an earlier commit may be read after the start.
        var finished = heartbeat.ReceivedAt > started ? heartbeat.ReceivedAt : started;
        return new RunFinished(machine.Id, started, finished, finished - started, TransitionDecisions.IsFailure(heartbeat.Run),
            heartbeat.Run?.ExitCode, machine.RunId);
    }

    /// <summary>
    /// The machine after the heartbeat's run signal: a start opens a run (a start while one is open means the earlier
    /// run never reported its end; the new one replaces it), a log line changes nothing, anything else closes the run.
    /// </summary>
    public static TrackedMachine Track(TrackedMachine machine, HeartbeatEntry heartbeat) => heartbeat.Run?.Signal switch
    {
        RunSignal.Started => machine with { RunStartedAt = heartbeat.ReceivedAt, RunId = heartbeat.Run.RunId },
        RunSignal.Logged => machine,
        _ when machine.RunStartedAt is null => machine,
        _ => machine with { RunStartedAt = null, RunId = null },
    };
}
