using Heartbeat.Contracts.Events;

namespace Heartbeat.Prober.Probing;

/// <summary>
/// What one probe found. Succeeded: the machine answered (<see cref="Status"/> warning when an ssh command exited
/// non-zero, with the first line of its output as <see cref="Message"/>). Otherwise <see cref="Error"/> says why,
/// in words that stay the same while the cause does (an error is appended only when it changes).
/// <see cref="NewHostKey"/> is an ssh host key seen on first contact, to be pinned.
/// </summary>
public sealed record ProbeOutcome(
    Guid MachineId,
    DateTimeOffset At,
    string? Error,
    ReportedStatus Status = ReportedStatus.Ok,
    string? Message = null,
    SeenHostKey? NewHostKey = null)
{
    public bool Succeeded => Error is null;
}

public sealed record SeenHostKey(string Algorithm, string Fingerprint);
