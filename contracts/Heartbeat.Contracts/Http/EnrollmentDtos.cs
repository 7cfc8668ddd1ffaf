namespace Heartbeat.Contracts.Http;

/// <summary>
/// An agent registering itself with an enrolment key. The same name and hostname enrolled again is the
/// same machine: it gets a new token and the old one is revoked. The answer is a <see cref="RegisteredMachine"/>.
/// </summary>
public sealed record EnrollMachineRequest(string? Name, string? Hostname, IReadOnlyList<string>? Tags = null);
