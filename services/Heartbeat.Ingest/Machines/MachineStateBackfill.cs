using Heartbeat.ServiceDefaults.Machines;
using Marten;
using Npgsql;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// Upgrading from the per-service machine folds to <see cref="MachineState"/>: its table starts empty on a database
/// that already holds machines, and an inline projection only sees events appended from now on, so every existing
/// machine would be refused (401) until it is folded. On start-up, before requests are served, a store with machine
/// streams but no machine documents gets each machine folded from its stream once. Idempotent and cheap when there is
/// nothing to do (one query).
/// </summary>
public sealed class MachineStateBackfill(IDocumentStore store, NpgsqlDataSource database, ILogger<MachineStateBackfill> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var events = store.Options.Events.DatabaseSchemaName;
        var documents = $"{store.Options.DatabaseSchemaName}.mt_doc_machinestate"; // Marten's table for MachineState
        await using var command = database.CreateCommand($"""
            select distinct e.stream_id from {events}.mt_events e
            where e.type = 'machine_registered' and not exists (select 1 from {documents} limit 1)
            """);
        var ids = new List<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        if (ids.Count == 0) return;

        logger.LogWarning("Folding {Count} existing machines into their machine documents (first start after the upgrade)", ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            await using var session = store.LightweightSession();
            foreach (var id in chunk)
                if (await session.Events.AggregateStreamAsync<MachineState>(id, token: ct) is { } state) session.Store(state);
            await session.SaveChangesAsync(ct);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
