using Heartbeat.Notifier.Quiet;
using Npgsql;
using NpgsqlTypes;

namespace Heartbeat.Notifier.Maintenance;

/// <summary>
/// Maintenance windows, stored in <c>notifier.maintenance_windows</c> (created with the delivery tables,
/// <see cref="Deliveries.DeliverySchema"/>). Plain rows: the rules that read them run in the same statements' neighbourhood
/// as the deliveries, and a window is only ever created whole or deleted.
/// </summary>
public sealed class MaintenanceWindows(NpgsqlDataSource database)
{
    private const string Columns = MaintenanceWindowRows.Columns;

    public Task<List<MaintenanceWindow>> ListAsync(CancellationToken ct) => MaintenanceWindowRows.ListAsync(database, ct);

    public async Task<MaintenanceWindow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"select {Columns} from notifier.maintenance_windows where id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task InsertAsync(MaintenanceWindow w, DateTimeOffset createdAt, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"insert into notifier.maintenance_windows ({Columns}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = w.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)w.Machines.Ids?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)w.Machines.Tags?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)w.StartsAt?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)w.EndsAt?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)w.Schedule ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)w.TimeZone ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)w.Duration ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = createdAt.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Deletes the window and ends its quiet now: what it silenced and is still offline is told at once by the
    /// window-end loop (<see cref="MaintenanceEnd"/>), as if the window had ended. Both in one transaction.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = database.CreateBatch();
        var delete = new NpgsqlBatchCommand("delete from notifier.maintenance_windows where id = $1");
        delete.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        var end = new NpgsqlBatchCommand("update notifier.deliveries set quiet_until = $2 where window_id = $1 and status = 'suppressed' and quiet_until > $2");
        end.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        end.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() });
        batch.BatchCommands.Add(delete);
        batch.BatchCommands.Add(end);
        await batch.ExecuteNonQueryAsync(ct);
        return delete.RecordsAffected > 0;
    }

    private static MaintenanceWindow Read(NpgsqlDataReader r) => MaintenanceWindowRows.Read(r);
}
