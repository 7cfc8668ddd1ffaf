using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.Events;
using Marten;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Weasel.Core;

namespace Heartbeat.ServiceDefaults;

public static class InfrastructureExtensions
{
    public static string PostgresConnectionString(this IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set (env: ConnectionStrings__Postgres).");
        // No session state is ever set on our connections, so the DISCARD ALL that Npgsql sends each time a
        // pooled connection is returned is a wasted round trip per query on the heartbeat path.
        var builder = new NpgsqlConnectionStringBuilder(configured) { NoResetOnClose = true };
        // Npgsql's default pool of 100 per service would let four services exhaust PostgreSQL's default
        // 100 connections; group commit needs few. A connection string that sets its own size wins.
        if (!configured.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase) &&
            !configured.Contains("Max Pool Size", StringComparison.OrdinalIgnoreCase))
            builder.MaxPoolSize = 20;
        // PostgreSQL's JIT compiles a query whose estimated cost passes a threshold; our statements are short and
        // touch few rows, but a table growing fast (ten thousand deliveries in seconds) has stale statistics and
        // huge estimates, and then compiling took 1.3–2.8 s for a statement that ran in milliseconds (measured with
        // auto_explain during scripts/bench notify). No query of ours benefits from it.
        builder.Options = string.IsNullOrEmpty(builder.Options) ? "-c jit=off" : builder.Options + " -c jit=off";
        return builder.ConnectionString;
    }

    /// <summary>
    /// Marten in the service's own schema, System.Text.Json, schema created or migrated on start-up.
    /// Also registers a plain <see cref="NpgsqlDataSource"/> for health checks and the few raw queries.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddHeartbeatMarten(
        this IHostApplicationBuilder builder, string schema, Action<StoreOptions> configure)
    {
        var connectionString = builder.Configuration.PostgresConnectionString();
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);

        return builder.Services.AddMarten(opts =>
            {
                opts.Connection(connectionString);
                opts.DatabaseSchemaName = schema;
                opts.Events.DatabaseSchemaName = "heartbeat_events";
                // Nulls are not written: a heartbeat without message or metrics is most of them, and every
                // byte of a heartbeat is stored once per machine per interval.
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.Default,
                    json => json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
                opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                opts.Events.StreamIdentity = StreamIdentity.AsGuid;
                opts.Events.UseListenNotifyForEventAppends = true;
                HeartbeatEventTypes.Register(opts);
                configure(opts);
            })
            .ApplyAllDatabaseChangesOnStartup();
    }

    /// <summary>MassTransit over RabbitMQ (<c>ConnectionStrings:RabbitMq</c>, an amqp:// URI).</summary>
    public static IHostApplicationBuilder AddHeartbeatMassTransit(
        this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> configure)
    {
        var uri = builder.Configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set (env: ConnectionStrings__RabbitMq), e.g. amqp://guest:guest@localhost:5672/.");
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            configure(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(uri));
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
