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
    /// The fleet, narrowed by <paramref name="filter"/> on the server, problems first; follows the pages
    /// (1,000 machines each) to the end. The only place that lists machines.
    /// </summary>
    public async Task<IReadOnlyList<MachineView>> ListMachinesAsync(MachineFilter? filter = null, CancellationToken ct = default)
    {
        var all = new List<MachineView>();
        string? cursor = null;
        do
        {
            var page = (await machines.List(status: filter?.Status, tag: filter?.Tag, cursor: cursor, limit: 1_000, ct: ct)).ContentOrThrow();
            all.AddRange(page.Machines);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }
}
