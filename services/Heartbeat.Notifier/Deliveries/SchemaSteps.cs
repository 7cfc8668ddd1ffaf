using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Applies a piece of the notifier's own schema (<see cref="DeliverySchema"/>, <see cref="FleetSchema"/>) on start-up,
/// once per version of its SQL: the version applied last is kept in <c>notifier.schema_versions</c>, and a replica that
/// finds its version there runs no DDL at all. Why: <c>alter table … add column if not exists</c> and
/// <c>create index if not exists</c> take their table locks even when there is nothing to do, and a replica starting
/// beside a busy one took them on the deliveries table while the busy one held row locks there and waited on a table
/// it had locked: a deadlock, and the starting replica died (seen once in a full test run). A deadlock or lock
/// timeout while a new version is applied is retried, after the other replicas' statements are through.
/// Each step runs under one advisory lock, in a schema this creates, so the steps' own SQL says neither.
/// </summary>
public static class SchemaSteps
{
    private const string Prepare = """
        select pg_advisory_xact_lock(7319402242);
        create schema if not exists notifier;
        create table if not exists notifier.schema_versions (name text primary key, version text not null);
        """;

    public static async Task ApplyAsync(NpgsqlDataSource database, string name, string sql, CancellationToken ct)
    {
        var version = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyOnceAsync(database, name, sql, version, ct);
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), ct);
            }
        }
    }

    private static async Task ApplyOnceAsync(NpgsqlDataSource database, string name, string sql, string version, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var prepare = new NpgsqlCommand(Prepare, connection, transaction)) await prepare.ExecuteNonQueryAsync(ct);
        await using (var applied = new NpgsqlCommand("select version from notifier.schema_versions where name = $1", connection, transaction))
        {
            applied.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            if (await applied.ExecuteScalarAsync(ct) as string == version)
            {
                await transaction.CommitAsync(ct);
                return;
            }
        }
        await using (var apply = new NpgsqlCommand(sql, connection, transaction)) await apply.ExecuteNonQueryAsync(ct);
        await using (var record = new NpgsqlCommand(
            "insert into notifier.schema_versions (name, version) values ($1, $2) on conflict (name) do update set version = excluded.version", connection, transaction))
        {
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = version });
            await record.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }
}
