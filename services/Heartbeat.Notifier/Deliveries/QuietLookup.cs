using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Maintenance;
using Heartbeat.Notifier.Quiet;
using Marten;
using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Loads what the quiet rules consult — every channel's route and every maintenance window — once per batch of
/// transitions (both are small and change rarely; reading them per batch means a change applies to the next
/// transition, on every replica, with no cache to invalidate), judges flapping from the database
/// (<see cref="FlappingEpisodes"/>), then routes the batch (<see cref="TransitionRouting"/>).
/// </summary>
public sealed class QuietLookup(IDocumentStore store, MaintenanceWindows windows, FlappingEpisodes flapping)
{
    /// <summary>Routes <paramref name="transitions"/>; flapping is judged (and its notices recorded) in the caller's transaction.</summary>
    public async Task<List<RoutedDelivery>> RouteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<Notification> transitions)
    {
        var (channels, active) = await LoadAsync();
        var flaps = await flapping.JudgeAsync(connection, transaction, transitions, channels, active);
        return TransitionRouting.Route(transitions, channels, active, _ => null, _ => false, flaps.Contains);
    }

    /// <summary>Every channel's route and every maintenance window, as they are now.</summary>
    public async Task<(List<RoutedChannel> Channels, List<MaintenanceWindow> Windows)> LoadAsync()
    {
        IReadOnlyList<Channel> channels;
        await using (var session = store.QuerySession())
            channels = await session.Query<Channel>().ToListAsync();
        return (channels.Select(RoutedChannel.Of).ToList(), await windows.ListAsync(CancellationToken.None));
    }
}
