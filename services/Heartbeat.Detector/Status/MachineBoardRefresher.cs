using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Canary;
using Heartbeat.Detector.Tracking;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Detector.Status;

/// <summary>
/// Every <see cref="StatusOptions.Refresh"/> recomputes each machine's view from the detector's memory: the tracker's
/// machine, which folds every life event of its stream (<see cref="MachineState.Apply(object, long)"/>) as well as
/// last seen and the open episode. Late is a matter of the clock, not of an event, so only recomputing finds it. The
/// board keeps no copy of the machines of its own (it once held the projected documents too: a second fold of every
/// machine, ~1 KB each with its strings, read back from the database after each life event).
/// </summary>
public sealed class MachineBoardRefresher(
    Fleet fleet,
    NpgsqlDataSource database,
    MachineBoard board,
    TimeProvider clock,
    IOptions<DetectorOptions> detector,
    IOptions<StatusOptions> options,
    ILogger<MachineBoardRefresher> logger) : BackgroundService
{
    private Dictionary<Guid, Entry> _entries = new();

    private sealed record Entry(TrackedMachine Tracked, MachineView View);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await fleet.Loaded.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.Refresh, clock);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Refreshing the status board skipped: the database did not answer ({Error})", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        var tracked = fleet.Snapshot();
        var windows = await MaintenanceWindowsAsync(ct);
        var now = clock.GetUtcNow();
        // The first computation after a start fills the board; it is not a change anyone should be told about.
        var first = !board.Current.Loaded;
        var entries = new Dictionary<Guid, Entry>(tracked.Count);
        var changes = new List<(MachineView View, string? Previous)>();
        foreach (var t in tracked)
        {
            // The platform's own canaries are no user's machines: never listed, counted or streamed.
            if (t.Retired || t.Tags.Contains(CanaryMachine.Tag)) continue;
            var previous = _entries.GetValueOrDefault(t.Id);
            var state = MachineStatusRules.StateOf(t, t, now, detector.Value);
            var maintenanceUntil = windows.Count == 0 ? null : MaintenanceWindow.MaintenanceUntil(windows, t.Id, t.Tags, now);
            // Unchanged inputs and state: keep the view object, so a refresh of a quiet fleet allocates little.
            var view = previous is not null && ReferenceEquals(previous.Tracked, t)
                       && previous.View.Status == state && previous.View.MaintenanceUntil == maintenanceUntil
                ? previous.View
                : MachineStatusRules.View(t, t, now, detector.Value) with { MaintenanceUntil = maintenanceUntil };
            entries[t.Id] = new Entry(t, view);
            if (previous is null || previous.View.Status != view.Status || previous.View.Name != view.Name
                || previous.View.Hostname != view.Hostname || !previous.View.Tags.SequenceEqual(view.Tags)
                || previous.View.MaintenanceUntil != view.MaintenanceUntil)
                changes.Add((view, previous?.View.Status));
        }
        foreach (var (id, gone) in _entries)
            if (!entries.ContainsKey(id)) changes.Add((gone.View with { Status = "retired" }, gone.View.Status));

        _entries = entries;
        var views = entries.Values.Select(e => e.View).ToList();
        var byId = entries.ToDictionary(e => e.Key, e => e.Value.View);
        var counts = Counts(views);
        board.Publish(views, byId, first ? [] : changes.Select(c => new MachineChanged(c.View, c.Previous, counts, views.Count)).ToList());
    }

    /// <summary>
    /// The maintenance windows, read at every refresh (a handful of rows), so a window that starts or ends shows within
    /// one refresh. The notifier owns them and creates their table: until it has started once, there are none.
    /// </summary>
    private async Task<List<MaintenanceWindow>> MaintenanceWindowsAsync(CancellationToken ct)
    {
        try
        {
            return await MaintenanceWindowRows.ListAsync(database, ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return [];
        }
    }

    public static IReadOnlyDictionary<string, int> Counts(IEnumerable<MachineView> views)
    {
        var counts = MachineQuery.Statuses.ToDictionary(s => s, _ => 0);
        foreach (var v in views) counts[v.Status] = counts.GetValueOrDefault(v.Status) + 1;
        return counts;
    }
}
