using System.Text.Json;
using Heartbeat.Contracts.Messages;
using Heartbeat.Notifier.Quiet;
using Heartbeat.ServiceDefaults.Machines;
using Npgsql;
using NpgsqlTypes;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Flapping, decided from the database as a batch of transitions is recorded. In the batch's transaction, holding an
/// advisory lock per machine (so replicas recording transitions of the same machine take turns, and each counts
/// the others' transitions): every transition is stored once (<c>flapping_transitions</c>, keyed by episode and
/// kind), then judged by <see cref="Flapping.Step"/> against the machine's transitions within the window and its
/// open flapping episode (<c>flapping_episodes</c>, at most one open per machine by a unique index). The transition
/// that makes a machine flap opens an episode and records one <c>flapping</c> notice per channel, keyed
/// <c>episode:channel:flapping</c>; it and every further transition of the episode are recorded as suppressed with
/// reason <c>flapping</c> (the caller routes them so). <see cref="FlappingEnd"/> ends the episode once the machine
/// has held one state for the window. A redelivered transition is judged again but changes no episode.
/// A past outage found after the fact is history, not flapping: it is neither counted nor judged.
/// </summary>
public sealed class FlappingEpisodes(FlappingOptions options, TimeProvider time)
{
    /// <summary>The advisory lock class of a machine's flapping judgement ("FLAP"); the object is a hash of the machine id.</summary>
    private const int LockClass = 0x464C4150;

    private sealed record OpenEpisode(Guid Id, DateTimeOffset Last, string LastKind, int Transitions, MachineSnapshot Machine, bool Started, bool Changed);

    /// <summary>
    /// Which of <paramref name="transitions"/> (by index) are part of a flapping episode, and so not told one by one. Judged
    /// in the caller's transaction, the one that records the transitions' deliveries: one commit per batch.
    /// </summary>
    public async Task<IReadOnlySet<int>> JudgeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<Notification> transitions, IReadOnlyList<RoutedChannel> channels, IReadOnlyList<MaintenanceWindow> windows)
    {
        var judged = transitions.Select((n, i) => (Notification: n, Index: i))
            .Where(t => t.Notification.Kind is Notification.Offline or Notification.Online && !t.Notification.DetectedLate)
            .OrderBy(t => t.Notification.OccurredAt).ToList();
        var flapping = new HashSet<int>();
        if (judged.Count == 0) return flapping;
        var machines = judged.Select(t => t.Notification.Machine.Id).Distinct().Order().ToArray();

        // One statement for the batch's machines (it was one statement each: ~1,000 a batch in a burst), in one order
        // everywhere, so two batches naming the same machines cannot deadlock. The sorted subquery is not flattened
        // (it has DISTINCT and ORDER BY), so the locks are taken in its order.
        await using (var locks = new NpgsqlCommand(
            "select pg_advisory_xact_lock($1, k) from (select distinct k from unnest($2::int[]) as k order by k) as ordered", connection, transaction))
        {
            locks.Parameters.Add(new NpgsqlParameter<int> { TypedValue = LockClass });
            locks.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = machines.Select(LockKey).ToArray() });
            await locks.ExecuteNonQueryAsync();
        }

        var fresh = await RecordAsync(connection, transaction, judged.Select(t => t.Notification).ToList());
        var since = judged[0].Notification.OccurredAt - options.Window;
        var times = await RecentAsync(connection, transaction, machines, since);
        var open = await OpenAsync(connection, transaction, machines);

        var notices = new List<Notice>();
        foreach (var (n, index) in judged)
        {
            var id = n.Machine.Id;
            var episode = open.GetValueOrDefault(id);
            var recent = times.GetValueOrDefault(id) ?? [n.OccurredAt];
            if (!Flapping.Step(episode?.Last, recent, n.OccurredAt, options)) continue;
            flapping.Add(index);
            if (!fresh.Contains((n.EpisodeId, n.Kind))) continue; // judged before: its episode already counts it

            if (episode is null)
            {
                var count = recent.Count(t => t > n.OccurredAt - options.Window && t <= n.OccurredAt);
                episode = new OpenEpisode(Guid.CreateVersion7(), n.OccurredAt, n.Kind, count, n.Machine, Started: true, Changed: true);
                notices.Add(new Notice(new Notification(Notification.FlappingStarted, n.Machine, episode.Id, n.OccurredAt, n.LastSeen,
                    Transitions: count, Window: options.Window, State: n.Kind)));
            }
            else
            {
                var latest = n.OccurredAt >= episode.Last;
                episode = episode with
                {
                    Last = latest ? n.OccurredAt : episode.Last, LastKind = latest ? n.Kind : episode.LastKind,
                    Transitions = episode.Transitions + 1, Machine = n.Machine, Changed = true,
                };
            }
            open[id] = episode;
        }

        await SaveAsync(connection, transaction, open.Values.Where(e => e.Changed).ToList());
        var routed = TransitionRouting.Route(notices.Select(n => n.Notification).ToList(), channels, windows, _ => null, _ => false);
        await NoticeRows.InsertAsync(connection, transaction, notices, routed, time.GetUtcNow());
        return flapping;
    }

    private static int LockKey(Guid machine) => BitConverter.ToInt32(machine.ToByteArray(), 12);

    /// <summary>Stores the transitions; the ones not stored before.</summary>
    private static async Task<HashSet<(Guid, string)>> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<Notification> transitions)
    {
        await using var command = new NpgsqlCommand("""
            insert into notifier.flapping_transitions (episode_id, kind, machine_id, occurred_at)
            select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[])
            on conflict do nothing
            returning episode_id, kind
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = transitions.Select(t => t.EpisodeId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = transitions.Select(t => t.Kind).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = transitions.Select(t => t.Machine.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = transitions.Select(t => t.OccurredAt).ToArray() });
        var fresh = new HashSet<(Guid, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) fresh.Add((reader.GetGuid(0), reader.GetString(1)));
        return fresh;
    }

    private static async Task<Dictionary<Guid, List<DateTimeOffset>>> RecentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] machines, DateTimeOffset since)
    {
        await using var command = new NpgsqlCommand(
            "select machine_id, occurred_at from notifier.flapping_transitions where machine_id = any($1) and occurred_at > $2", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = machines });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since });
        var times = new Dictionary<Guid, List<DateTimeOffset>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = reader.GetGuid(0);
            if (!times.TryGetValue(id, out var list)) times[id] = list = [];
            list.Add(reader.GetFieldValue<DateTimeOffset>(1));
        }
        return times;
    }

    /// <summary>The open episodes, locked: <see cref="FlappingEnd"/> cannot end one while a transition extends it.</summary>
    private static async Task<Dictionary<Guid, OpenEpisode>> OpenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] machines)
    {
        await using var command = new NpgsqlCommand("""
            select id, machine_id, last_transition_at, last_kind, transitions, machine::text from notifier.flapping_episodes
            where machine_id = any($1) and ended_at is null for update
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = machines });
        var open = new Dictionary<Guid, OpenEpisode>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            open[reader.GetGuid(1)] = new OpenEpisode(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3), reader.GetInt32(4),
                JsonSerializer.Deserialize<MachineSnapshot>(reader.GetString(5), Json)!, Started: false, Changed: false);
        return open;
    }

    private static async Task SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<OpenEpisode> episodes)
    {
        if (episodes.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var e in episodes)
        {
            var command = new NpgsqlBatchCommand(e.Started
                ? """
                  insert into notifier.flapping_episodes (id, machine_id, started_at, last_transition_at, last_kind, transitions, machine)
                  values ($1, $2, $3, $3, $4, $5, $6::jsonb)
                  """
                : """
                  update notifier.flapping_episodes set last_transition_at = $3, last_kind = $4, transitions = $5, machine = $6::jsonb
                  where id = $1 and machine_id = $2
                  """);
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = e.Id });
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = e.Machine.Id });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = e.Last });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.LastKind });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = e.Transitions });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(e.Machine, Json), NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync();
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
