using Heartbeat.Contracts.Http;
using Heartbeat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// GET /api/notifications?machine=&amp;channel=&amp;outcome=&amp;page=: the delivery log, newest first, a page of
/// <see cref="PageSize"/>, each delivery with every attempt (time, outcome, status code or error) and the fallback taken.
/// </summary>
public static class NotificationsApi
{
    public const int PageSize = 100;

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/notifications", List).WithTags("Notifications").RequireKey(KeyRole.Read);
        return app;
    }

    public sealed record Filter(Guid? Machine, Guid? Channel, string? Outcome, int Page);

    /// <summary>The query string as a filter, or the errors naming each bad parameter.</summary>
    public static (Filter Filter, Dictionary<string, string[]> Errors) Parse(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>();
        Guid? ParseId(string name, string alias = "")
        {
            var raw = query[name].FirstOrDefault() ?? (alias != "" ? query[alias].FirstOrDefault() : null);
            if (string.IsNullOrWhiteSpace(raw)) return null;
            if (Guid.TryParse(raw, out var id)) return id;
            errors[name] = [$"{name} \"{raw}\" is not an id (a GUID)."];
            return null;
        }
        var machine = ParseId("machine", "machine_id");
        var channel = ParseId("channel");
        var outcome = query["outcome"].FirstOrDefault();
        if (!string.IsNullOrWhiteSpace(outcome) && !DeliveryStatus.All.Contains(outcome))
            errors["outcome"] = [$"outcome must be one of {string.Join(", ", DeliveryStatus.All)}."];
        var page = 1;
        if (query["page"].FirstOrDefault() is { Length: > 0 } rawPage && (!int.TryParse(rawPage, out page) || page < 1 || page > 10_000))
            errors["page"] = ["page must be a number from 1 to 10000."];
        return (new Filter(machine, channel, string.IsNullOrWhiteSpace(outcome) ? null : outcome, page), errors);
    }

    private const string Sql = """
        select d.id, d.channel_id, d.machine_id, d.episode_id, d.kind, d.status, d.attempts, d.created_at, d.delivered_at, d.last_error,
               d.next_attempt_at, d.fallback_for, d.fallback_reason, d.fallback_delivery_id, d.reason, d.detail,
               coalesce((select json_agg(json_build_object('attempt', a.attempt, 'at', a.at, 'outcome', a.outcome, 'status_code', a.status_code, 'error', a.error) order by a.attempt)
                         from notifier.delivery_attempts a where a.delivery_id = d.id), '[]')::text
        from notifier.deliveries d
        where ($1::uuid is null or d.machine_id = $1) and ($2::uuid is null or d.channel_id = $2) and ($3::text is null or d.status = $3)
        order by d.created_at desc, d.id desc
        limit $4 offset $5
        """;

    public static async Task<Results<Ok<IReadOnlyList<DeliveryView>>, ValidationProblem>> List(HttpRequest http, NpgsqlDataSource database, CancellationToken ct)
    {
        var (filter, errors) = Parse(http.Query);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(v => v)));

        await using var command = database.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Machine ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Channel ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Outcome ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = PageSize });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (filter.Page - 1) * PageSize });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var log = new List<DeliveryView>();
        while (await reader.ReadAsync(ct))
        {
            log.Add(new DeliveryView(
                reader.GetString(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), reader.GetString(4), reader.GetString(5),
                reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
                reader.IsDBNull(11) ? null : reader.GetGuid(11),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetString(13),
                System.Text.Json.JsonSerializer.Deserialize<List<DeliveryAttemptView>>(reader.GetString(16), HeartbeatJson.Options),
                reader.IsDBNull(14) ? null : reader.GetString(14),
                reader.IsDBNull(15) ? null : reader.GetString(15)));
        }
        return TypedResults.Ok<IReadOnlyList<DeliveryView>>(log);
    }
}
