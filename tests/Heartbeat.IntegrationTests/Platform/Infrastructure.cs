using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Heartbeat.IntegrationTests.Platform;

/// <summary>
/// The real PostgreSQL and RabbitMQ the tests run against: the ones scripts/test started (named by
/// HEARTBEAT_TEST_POSTGRES and HEARTBEAT_TEST_RABBITMQ), or containers where a Docker engine answers.
/// Each test run gets a database of its own, dropped at the end.
/// </summary>
public sealed class Infrastructure : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _containers = [];
    private string _serverConnectionString = "";

    public string PostgresConnectionString { get; private set; } = "";
    public string RabbitMqUri { get; private set; } = "";
    public string DatabaseName { get; } = $"heartbeat_test_{Guid.NewGuid():N}"[..32];

    public async Task StartAsync()
    {
        _serverConnectionString = Environment.GetEnvironmentVariable("HEARTBEAT_TEST_POSTGRES") ?? "";
        RabbitMqUri = Environment.GetEnvironmentVariable("HEARTBEAT_TEST_RABBITMQ") ?? "";
        if (_serverConnectionString == "" || RabbitMqUri == "") await StartContainersAsync();

        await using (var server = NpgsqlDataSource.Create(_serverConnectionString))
        await using (var create = server.CreateCommand($"create database {DatabaseName}"))
            await create.ExecuteNonQueryAsync();
        PostgresConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = DatabaseName }.ConnectionString;
    }

    private async Task StartContainersAsync()
    {
        try
        {
            var postgres = new PostgreSqlBuilder("postgres:15").Build();
            var rabbit = new RabbitMqBuilder("rabbitmq:3.13").Build();
            _containers.Add(postgres);
            _containers.Add(rabbit);
            await Task.WhenAll(postgres.StartAsync(), rabbit.StartAsync());
            _serverConnectionString = postgres.GetConnectionString();
            RabbitMqUri = rabbit.GetConnectionString();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                "Integration tests need PostgreSQL and RabbitMQ: run them through scripts/test (which starts both and sets " +
                "HEARTBEAT_TEST_POSTGRES and HEARTBEAT_TEST_RABBITMQ), or have a Docker engine for Testcontainers. " + e.Message, e);
        }
    }

    public NpgsqlDataSource OpenDatabase() => NpgsqlDataSource.Create(PostgresConnectionString);

    public async ValueTask DisposeAsync()
    {
        if (_serverConnectionString != "")
        {
            NpgsqlConnection.ClearAllPools();
            await using var server = NpgsqlDataSource.Create(_serverConnectionString);
            await using var drop = server.CreateCommand($"drop database if exists {DatabaseName} with (force)");
            await drop.ExecuteNonQueryAsync();
        }
        foreach (var container in _containers) await container.DisposeAsync();
    }
}
