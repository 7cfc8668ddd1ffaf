using Heartbeat.Contracts.Http;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Notifier.Channels;

public static class ChannelsApi
{
    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        var channels = app.MapGroup("/api/channels").WithTags("Channels");
        channels.MapPost("/", CreateChannel.Handle).RequireKey(KeyRole.Admin);
        channels.MapGet("/", List).RequireKey(KeyRole.Read);
        channels.MapGet("/{id:guid}", Get).RequireKey(KeyRole.Read);
        channels.MapPatch("/{id:guid}", UpdateChannel.Handle).RequireKey(KeyRole.Admin);
        channels.MapDelete("/{id:guid}", Delete).RequireKey(KeyRole.Admin);
        channels.MapPost("/{id:guid}/test", TestChannel.Handle).RequireKey(KeyRole.Admin);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<ChannelView>>> List(HttpRequest http, ApiKeys keys, IQuerySession session, CancellationToken ct)
    {
        var admin = keys.Allows(ApiKeys.BearerOf(http), KeyRole.Admin);
        var channels = await session.Query<Channel>().OrderBy(c => c.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<ChannelView>>(channels.Select(c => c.ToView(admin)).ToList());
    }

    public static async Task<Results<Ok<ChannelView>, ProblemHttpResult>> Get(Guid id, HttpRequest http, ApiKeys keys, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<Channel>(id, ct) is { } channel
            ? TypedResults.Ok(channel.ToView(keys.Allows(ApiKeys.BearerOf(http), KeyRole.Admin)))
            : NotFound(id);

    /// <summary>Deleting a channel cancels its pending deliveries; past ones stay in the log.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, IDocumentSession session, DeliveryRows deliveries, CancellationToken ct)
    {
        if (await session.LoadAsync<Channel>(id, ct) is null) return NotFound(id);
        session.Delete<Channel>(id);
        await session.SaveChangesAsync(ct);
        await deliveries.CancelChannelAsync(id, ct);
        return TypedResults.NoContent();
    }

    public static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Channel not found", detail: $"There is no channel {id}.");
}
