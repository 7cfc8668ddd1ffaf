using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Heartbeat.ServiceDefaults;

/// <summary>
/// ASP.NET Core Data Protection with its key ring in PostgreSQL, shared by every replica and every service that
/// keeps secrets (the notifier's channel secrets, the prober's SSH keys): whatever one instance encrypts, any
/// other can decrypt, and the keys survive restarts and new machines.
/// </summary>
public static class DataProtectionKeyRing
{
    /// <summary>One application name for the whole platform, so all services share one key ring; purposes keep uses apart.</summary>
    public const string ApplicationName = "Heartbeat.Platform";

    public static IHostApplicationBuilder AddHeartbeatDataProtection(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.PostgresConnectionString();
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddSingleton(_ => new PostgresXmlRepository(NpgsqlDataSource.Create(connectionString)));
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<PostgresXmlRepository>((options, repository) => options.XmlRepository = repository);
        return builder;
    }
}

/// <summary>
/// The key ring's XML elements, one row each, in a table of its own (<c>heartbeat_data_protection.keys</c>), created on
/// first use. Data Protection calls this synchronously and rarely (start-up, key rotation every 90 days).
/// The key XML is stored as Data Protection writes it: whoever can read this table can read the secrets it protects,
/// so the database's own access control is what guards it.
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource database) : IXmlRepository
{
    private const string Schema = """
        select pg_advisory_xact_lock(7319402241);
        create schema if not exists heartbeat_data_protection;
        create table if not exists heartbeat_data_protection.keys (
            friendly_name text primary key,
            xml text not null,
            created_at timestamptz not null default now());
        """;

    private bool _created;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureTable();
        using var command = database.CreateCommand("select xml from heartbeat_data_protection.keys order by created_at");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        EnsureTable();
        using var command = database.CreateCommand(
            "insert into heartbeat_data_protection.keys (friendly_name, xml) values ($1, $2) on conflict (friendly_name) do update set xml = excluded.xml");
        command.Parameters.AddWithValue(friendlyName);
        command.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    private void EnsureTable()
    {
        if (_created) return;
        // Replicas starting together would race on CREATE TABLE; the advisory lock serialises them.
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using (var command = new NpgsqlCommand(Schema, connection, transaction)) command.ExecuteNonQuery();
        transaction.Commit();
        _created = true;
    }
}
