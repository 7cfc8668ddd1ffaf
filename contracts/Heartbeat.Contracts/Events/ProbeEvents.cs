namespace Heartbeat.Contracts.Events;

// Agentless probes. A machine registered with a probe is probed by the prober instead of (or besides) posting
// heartbeats itself; a successful probe is a heartbeat with source Probe. These events live on the machine's own
// stream and are rare: one per change of a probe's error, one per pinned host key.

public enum ProbeType { Ssh, Tcp, Http }

/// <summary>
/// How a machine is probed. Which members apply depends on <see cref="Type"/>: ssh uses host, port, user, the
/// protected private key and an optional command; tcp uses host and port; http uses url and expect status.
/// <see cref="ProtectedPrivateKey"/> is Data Protection ciphertext (purpose <see cref="PrivateKeyPurpose"/>),
/// never the key itself.
/// </summary>
public sealed record ProbeSettings(
    ProbeType Type,
    TimeSpan Interval,
    TimeSpan Timeout,
    string? Host = null,
    int? Port = null,
    string? User = null,
    string? ProtectedPrivateKey = null,
    string? Command = null,
    string? Url = null,
    int? ExpectStatus = null)
{
    /// <summary>The Data Protection purpose the private key is protected with: ingest protects, the prober unprotects.</summary>
    public const string PrivateKeyPurpose = "Heartbeat.Probe.PrivateKey.v1";
}

/// <summary>A probe of the machine failed with a new error (appended only when the error differs from the last one).</summary>
public sealed record ProbeFailed(Guid MachineId, string Error, DateTimeOffset At);

/// <summary>A probe succeeded again after <see cref="ProbeFailed"/>.</summary>
public sealed record ProbeRecovered(Guid MachineId, DateTimeOffset At);

/// <summary>
/// The SSH host key the prober saw on first contact (trust on first use); every later contact must present the same
/// key. A changed probe host or port forgets the pin.
/// </summary>
public sealed record ProbeHostKeyPinned(Guid MachineId, string Algorithm, string Fingerprint, DateTimeOffset At);
