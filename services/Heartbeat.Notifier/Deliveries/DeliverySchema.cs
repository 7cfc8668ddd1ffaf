using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// The delivery tables, created or extended on start-up, before the consumers and the dispatcher run (this hosted
/// service is registered ahead of them). One row per (episode, channel, kind): the id is <c>episode:channel:kind</c>
/// (a fallback adds <c>:via:failed-channel</c>), so the primary key is the exactly-once guarantee.
/// </summary>
public sealed class DeliverySchema(NpgsqlDataSource database) : IHostedService
{
    public const string Sql = """
        create table if not exists notifier.deliveries (
            id text primary key,
            channel_id uuid not null,
            machine_id uuid not null,
            episode_id uuid not null,
            kind text not null,
            payload jsonb not null,
            status text not null,
            attempts int not null default 0,
            created_at timestamptz not null,
            next_attempt_at timestamptz,
            hold_until timestamptz,
            waits_for text,
            delivered_at timestamptz,
            last_status_code int,
            last_error text,
            fallback_for uuid,
            fallback_from_name text,
            fallback_reason text,
            fallback_delivery_id text);
        alter table notifier.deliveries add column if not exists trace_parent text;
        drop index if exists notifier.deliveries_due;
        create index if not exists deliveries_due_per_channel on notifier.deliveries (channel_id, next_attempt_at) where status = 'pending';
        create index if not exists deliveries_created on notifier.deliveries (created_at desc);
        create index if not exists deliveries_machine on notifier.deliveries (machine_id, created_at desc);
        create index if not exists deliveries_channel on notifier.deliveries (channel_id, created_at desc);
        create table if not exists notifier.delivery_attempts (
            delivery_id text not null,
            attempt int not null,
            at timestamptz not null,
            outcome text not null,
            status_code int,
            error text,
            primary key (delivery_id, attempt));
        -- Quiet rules: a suppressed delivery says why; a maintenance suppression names its window and when that occurrence ends.
        alter table notifier.deliveries add column if not exists reason text;
        alter table notifier.deliveries add column if not exists detail text;
        alter table notifier.deliveries add column if not exists window_id uuid;
        alter table notifier.deliveries add column if not exists quiet_until timestamptz;
        create index if not exists deliveries_quiet_until on notifier.deliveries (quiet_until) where status = 'suppressed' and quiet_until is not null;
        create index if not exists deliveries_episode on notifier.deliveries (episode_id, kind);
        -- Dependencies: an offline of a machine with a parent, and how long it waits for the parent's (and, once the
        -- parent is back, how long the machine has to come back too).
        alter table notifier.deliveries add column if not exists depends_on uuid;
        alter table notifier.deliveries add column if not exists dependency_hold interval;
        create index if not exists deliveries_dependent on notifier.deliveries (depends_on) where dependency_hold is not null;
        -- A new offline looks for its machine's pending online to the same channel (RecordTransition). Without an index
        -- made for it the planner walked the channel's whole pending queue once per transition: with 10,000 deliveries
        -- waiting for a dead channel, half a second to two seconds per batch of offlines (measured, scripts/bench notify).
        create index if not exists deliveries_pending_online on notifier.deliveries (machine_id, channel_id) where kind = 'online' and status = 'pending';
        -- Flapping (FlappingEpisodes): every transition judged, and each machine's flapping episodes; at most one open per machine.
        create table if not exists notifier.flapping_transitions (
            episode_id uuid not null,
            kind text not null,
            machine_id uuid not null,
            occurred_at timestamptz not null,
            primary key (episode_id, kind));
        create index if not exists flapping_transitions_machine on notifier.flapping_transitions (machine_id, occurred_at);
        create table if not exists notifier.flapping_episodes (
            id uuid primary key,
            machine_id uuid not null,
            started_at timestamptz not null,
            last_transition_at timestamptz not null,
            last_kind text not null,
            transitions int not null,
            machine jsonb not null,
            ended_at timestamptz);
        create unique index if not exists flapping_episodes_open on notifier.flapping_episodes (machine_id) where ended_at is null;
        create table if not exists notifier.maintenance_windows (
            id uuid primary key,
            machine_ids uuid[],
            machine_tags text[],
            starts_at timestamptz,
            ends_at timestamptz,
            schedule text,
            time_zone text,
            duration interval,
            created_at timestamptz not null);
        """;

    public Task StartAsync(CancellationToken ct) => SchemaSteps.ApplyAsync(database, "deliveries", Sql, ct);

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    /// <summary>Not sent on its own, for the reason recorded with it (<see cref="Quiet.SuppressionReasons"/>).</summary>
    public const string Suppressed = "suppressed";

    public static readonly string[] All = [Pending, Delivered, Failed, Cancelled, Suppressed];
}
