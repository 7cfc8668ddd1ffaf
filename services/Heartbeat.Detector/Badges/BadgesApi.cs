using Heartbeat.ServiceDefaults.Machines;
using System.Security.Cryptography;
using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Status;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Detector.Badges;

public static class BadgesApi
{
    public static IEndpointRouteBuilder MapBadgesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/badges", Create).RequireKey(KeyRole.Admin);
        app.MapGet("/badge/{file}", Show); // public: whoever has the unguessable URL
        return app;
    }

    public static async Task<Results<Created<BadgeView>, ValidationProblem, ProblemHttpResult>> Create(
        HttpRequest request, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<CreateBadgeRequest>(request);
        if (body.Problem is not null) return body.Problem;
        var r = body.Value!;
        if ((r.MachineId is null) == string.IsNullOrWhiteSpace(r.Tag))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["machine_id"] = ["Give either machine_id or tag."] }, detail: "No badge was created: see errors.");
        if (r.MachineId is { } machineId && await session.Events.FetchLatest<MachineState>(machineId, ct) is null or { Retired: true })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["machine_id"] = [$"No machine {machineId}."] }, detail: "No badge was created: see errors.");
        if (r.Tag is { Length: > 64 })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tag"] = ["A tag is at most 64 characters."] }, detail: "No badge was created: see errors.");

        // 128 random bits: the URL is the only secret a public badge has.
        var badge = new Badge { Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), MachineId = r.MachineId, Tag = r.Tag?.Trim(), CreatedAt = clock.GetUtcNow() };
        session.Store(badge);
        await session.SaveChangesAsync(ct);
        var url = $"{PublicUrl.Of(request)}/badge/{badge.Id}";
        return TypedResults.Created($"/badge/{badge.Id}.svg", new BadgeView(badge.Id, badge.MachineId, badge.Tag, url + ".svg", url + ".json"));
    }

    /// <summary><c>/badge/{id}.svg</c> or <c>/badge/{id}.json</c> (shields.io endpoint); not cached, so it is current.</summary>
    public static async Task<IResult> Show(string file, HttpResponse response, IQuerySession session, MachineBoard board, CancellationToken ct)
    {
        var extension = Path.GetExtension(file);
        var id = Path.GetFileNameWithoutExtension(file);
        if (extension is not (".svg" or ".json") || id.Length != 32 || await session.LoadAsync<Badge>(id, ct) is not { } badge)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No such badge.");

        var machines = board.Current;
        var reading = badge.MachineId is { } machineId
            ? BadgeRender.Read(machines.ById.GetValueOrDefault(machineId)?.Name ?? "retired", machines.ById.TryGetValue(machineId, out var m) ? [m.Status] : [])
            : BadgeRender.Read(badge.Tag!, machines.Machines.Where(v => v.Tags.Contains(badge.Tag!, StringComparer.OrdinalIgnoreCase)).Select(v => v.Status).ToList());
        response.Headers.CacheControl = "no-cache, max-age=0";
        return extension == ".svg"
            ? TypedResults.Text(BadgeRender.Svg(reading), "image/svg+xml; charset=utf-8")
            : TypedResults.Json(BadgeRender.Shields(reading), JsonSerializerOptions.Web);
    }
}
