namespace Heartbeat.Contracts.Events;

/// <summary>
/// A machine got a ping key (a new one replaces the old): the secret in ping URLs for clients that cannot send
/// headers. Separate from the machine token so it can be revoked alone; stored as a SHA-256 digest only.
/// </summary>
public sealed record PingKeyIssued(Guid MachineId, string KeyHash, DateTimeOffset IssuedAt);

public sealed record PingKeyRevoked(Guid MachineId, DateTimeOffset RevokedAt);
