using Heartbeat.Contracts.Http;

namespace Heartbeat.Client;

/// <summary>Which machines a listing returns; null fields do not narrow it.</summary>
public sealed record MachineFilter(string? Status = null, string? Tag = null);

/// <summary>
/// The public API in one object: the Refit interfaces, plus calls that are more than one request.
/// </summary>
public sealed class HeartbeatClient(
    IMachinesApi machines,
    IMachineRetirementApi retirement,
    IHeartbeatApi heartbeats,
    IEnrollmentApi enrollment,
    IChannelsApi channels,
    IChannelTestsApi channelTests)
{
    public IMachinesApi Machines => machines;
    public IMachineRetirementApi Retirement => retirement;
    public IHeartbeatApi Heartbeats => heartbeats;
    public IEnrollmentApi Enrollment => enrollment;
    public IChannelsApi Channels => channels;
    public IChannelTestsApi ChannelTests => channelTests;

    /// <summary>
    /// The fleet, narrowed by <paramref name="filter"/>. The only place that lists machines, so that the
    /// listing's wire shape (today a plain array, filtered here) can change in one spot when the API pages.
    /// </summary>
    public async Task<IReadOnlyList<MachineView>> ListMachinesAsync(MachineFilter? filter = null, CancellationToken ct = default)
    {
        var all = (await machines.List(ct)).ContentOrThrow();
        return all
            .Where(m => filter?.Status is not { } status || string.Equals(m.Status, status, StringComparison.OrdinalIgnoreCase))
            .Where(m => filter?.Tag is not { } tag || m.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase))
            .ToList();
    }
}
