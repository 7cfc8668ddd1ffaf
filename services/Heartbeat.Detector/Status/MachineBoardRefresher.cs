using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Canary;
using Heartbeat.Detector.Tracking;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Detector.Status;

/// <summary>
/// Every <see cref="StatusOptions.Refresh"/> recomputes each machine's view from the detector's memory (last seen,
/// open episode, pause) and the status documents (tags, description), and publishes the changed ones to the board.
/// Late is a matter of the clock, not of an event, so only recomputing finds it. A machine's document is read
/// again when the tracker has seen a newer life event (its stream version moved) than the cached document holds.
/// </summary>
public sealed class MachineBoardRefresher(
    Fleet fleet,
    IDocumentStore store,
    NpgsqlDataSource database,
    MachineBoard board,
    TimeProvider clock,
    IOptions<DetectorOptions> detector,
    IOptions<StatusOptions> options,
    ILogger<MachineBoardRefresher> logger) : BackgroundService
{
    /// <summary>Documents read per refresh at most (in one query), and of those read one by one from their events, so a burst of registrations cannot stall the board.</summary>
    private const int MaxLoadsPerRefresh = 5_000;
    private const int MaxFetchesPerRefresh = 200;
    private readonly Dictionary<Guid, MachineState> _documents = new();
    private Dictionary<Guid, Entry> _entries = new();

    private sealed record Entry(TrackedMachine Tracked, MachineState Document, MachineView View);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await fleet.Loaded.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.Refresh, clock);
        do
        {
            try
            {
                if (_documents.Count == 0) await LoadDocumentsAsync(stoppingToken);
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Refreshing the status board skipped: the database did not answer ({Error})", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task LoadDocumentsAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        foreach (var document in await session.Query<MachineState>().ToListAsync(ct)) _documents[document.Id] = document;
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        var tracked = fleet.Snapshot();
        var stale = tracked.Where(t => !t.Retired && (!_documents.TryGetValue(t.Id, out var d) || d.Version < t.Version)).Take(MaxLoadsPerRefresh).ToList();
        if (stale.Count > 0)
        {
            await using var session = store.LightweightSession();
            // The projected documents first, in one query: after a burst of registrations the async projection has
            // usually caught up, and reading them one by one cost the detector the CPU its tracker needed (measured:
            // registering 100,000 machines left the tracker minutes behind).
            var projected = (await session.LoadManyAsync<MachineState>(ct, stale.Select(t => t.Id))).ToDictionary(d => d.Id);
            var fetches = 0;
            foreach (var t in stale)
            {
                if (projected.TryGetValue(t.Id, out var document) && document.Version >= t.Version)
                    _documents[t.Id] = document;
                // FetchLatest adds the events the async projection has not applied yet.
                else if (fetches++ < MaxFetchesPerRefresh && await session.Events.FetchLatest<MachineState>(t.Id, ct) is { } latest)
                    _documents[t.Id] = latest.Version >= t.Version ? latest : latest with { Version = t.Version };
            }
        }

        var windows = await MaintenanceWindowsAsync(ct);
        var now = clock.GetUtcNow();
        // The first computation after a start fills the board; it is not a change anyone should be told about.
        var first = !board.Current.Loaded;
        var entries = new Dictionary<Guid, Entry>(tracked.Count);
        var changes = new List<(MachineView View, string? Previous)>();
        foreach (var t in tracked)
        {
            // The platform's own canaries are no user's machines: never listed, counted or streamed.
            if (t.Retired || !_documents.TryGetValue(t.Id, out var document) || document.Tags.Contains(CanaryMachine.Tag)) continue;
            var previous = _entries.GetValueOrDefault(t.Id);
            var state = MachineStatusRules.StateOf(document, t, now, detector.Value);
            var maintenanceUntil = windows.Count == 0 ? null : MaintenanceWindow.MaintenanceUntil(windows, t.Id, document.Tags, now);
            // Unchanged inputs and state: keep the view object, so a refresh of a quiet fleet allocates little.
            var view = previous is not null && ReferenceEquals(previous.Tracked, t) && ReferenceEquals(previous.Document, document)
                       && previous.View.Status == state && previous.View.MaintenanceUntil == maintenanceUntil
                ? previous.View
                : MachineStatusRules.View(document, t, now, detector.Value) with { MaintenanceUntil = maintenanceUntil };
            entries[t.Id] = new Entry(t, document, view);
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
