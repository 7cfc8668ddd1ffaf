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
    public static string PostgresConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString("Postgres")
        ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set (env: ConnectionStrings__Postgres).");

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
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString);
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
