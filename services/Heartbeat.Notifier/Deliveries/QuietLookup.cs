using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Maintenance;
using Heartbeat.Notifier.Quiet;
using Marten;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Loads what the quiet rules consult — every channel's route and every maintenance window — once per batch of
/// transitions (both are small and change rarely; reading them per batch means a change applies to the next
/// transition, on every replica, with no cache to invalidate), then routes the batch (<see cref="TransitionRouting"/>).
/// </summary>
public sealed class QuietLookup(IDocumentStore store, MaintenanceWindows windows)
{
    public async Task<List<RoutedDelivery>> RouteAsync(IReadOnlyList<Notification> transitions)
    {
        IReadOnlyList<Channel> channels;
        await using (var session = store.QuerySession())
            channels = await session.Query<Channel>().ToListAsync();
        var active = await windows.ListAsync(CancellationToken.None);
        return TransitionRouting.Route(transitions, channels.Select(RoutedChannel.Of).ToList(), active, _ => null, _ => false);
    }
}
