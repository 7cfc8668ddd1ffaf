using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// The tables of the fleet-wide notifications, created or extended on start-up after <see cref="DeliverySchema"/> and
/// before the consumers run. <c>storm_transitions</c>: every transition that would have been told on its own, once
/// (primary key episode, kind), with the digest it was merged into — what storms are counted from, shared by every
/// replica. <c>storm_digests</c>: digests gathering or sent. A delivery merged into a digest names it (<c>digest_id</c>).
/// </summary>
public sealed class FleetSchema(NpgsqlDataSource database) : IHostedService
{
    public const string Sql = """
        alter table notifier.deliveries add column if not exists digest_id uuid;
        create index if not exists deliveries_digest on notifier.deliveries (digest_id) where digest_id is not null;
        create table if not exists notifier.storm_transitions (
            episode_id uuid not null,
            kind text not null,
            machine_id uuid not null,
            occurred_at timestamptz not null,
            digest_id uuid,
            primary key (episode_id, kind));
        create index if not exists storm_transitions_at on notifier.storm_transitions (kind, occurred_at);
        create table if not exists notifier.storm_digests (
            id uuid primary key,
            kind text not null,
            opened_at timestamptz not null,
            due_at timestamptz not null,
            closed_at timestamptz);
        create index if not exists storm_digests_open on notifier.storm_digests (due_at) where closed_at is null;
        """;

    public Task StartAsync(CancellationToken ct) => SchemaSteps.ApplyAsync(database, "fleet", Sql, ct);

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
