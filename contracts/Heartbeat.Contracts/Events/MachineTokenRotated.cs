namespace Heartbeat.Contracts.Events;

/// <summary>
/// A machine got a new token (it enrolled again under the same name and hostname); the previous token
/// stops being accepted. Only the new token's digest is stored.
/// </summary>
public sealed record MachineTokenRotated(Guid MachineId, string TokenHash, DateTimeOffset RotatedAt);
