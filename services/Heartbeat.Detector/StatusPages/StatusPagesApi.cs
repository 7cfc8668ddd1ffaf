using System.Text.RegularExpressions;
using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Status;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;

namespace Heartbeat.Detector.StatusPages;

public static partial class StatusPagesApi
{
    /// <summary>Machines shown on one page at most; a larger fleet wants several pages by tag.</summary>
    public const int MaxMachines = 200;
    public const int Days = 90;
    /// <summary>
    /// A public page is rendered at most this often (it reads up to <see cref="MaxMachines"/> streams), so that
    /// anyone hammering it costs the database nothing more.
    /// </summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapStatusPagesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/status-pages", Create).RequireKey(KeyRole.Admin);
        app.MapGet("/status/{slug}", Show); // public, no key
        return app;
    }

    public static Dictionary<string, string[]> Validate(CreateStatusPageRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.Slug is null || !Slug().IsMatch(r.Slug)) errors["slug"] = ["The slug is 2 to 64 lower-case letters, digits and dashes, starting with a letter or digit."];
        if (string.IsNullOrWhiteSpace(r.Title) || r.Title.Length > 200) errors["title"] = ["A title of 1 to 200 characters is required."];
        if (r.Tags is { } tags && (tags.Count > 20 || tags.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 64)))
            errors["tags"] = ["At most 20 tags, each 1 to 64 characters."];
        return errors;
    }

    public static async Task<Results<Created<StatusPageView>, ValidationProblem, ProblemHttpResult>> Create(
        HttpRequest request, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<CreateStatusPageRequest>(request);
        if (body.Problem is not null) return body.Problem;
        var r = body.Value!;
        var errors = Validate(r);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: "The status page was not created: see errors.");
        if (await session.LoadAsync<StatusPage>(r.Slug!, ct) is not null)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"A status page /status/{r.Slug} exists already.");

        var page = new StatusPage
        {
            Id = r.Slug!, Title = r.Title!.Trim(), Tags = r.Tags?.Select(t => t.Trim()).ToArray() ?? [], ShowHostnames = r.ShowHostnames, CreatedAt = clock.GetUtcNow(),
        };
        session.Insert(page);
        await session.SaveChangesAsync(ct);
        return TypedResults.Created($"/status/{page.Id}",
            new StatusPageView(page.Id, page.Title, page.Tags, page.ShowHostnames, $"{PublicUrl.Of(request)}/status/{page.Id}"));
    }

    /// <summary>The page as HTML: each machine's current status and its uptime per day for 90 days.</summary>
    public static async Task<IResult> Show(string slug, IQuerySession session, MachineBoard board, TimeProvider clock, IMemoryCache cache, CancellationToken ct)
    {
        if (!Slug().IsMatch(slug)) return NotFound();
        var html = await cache.GetOrCreateAsync($"status-page:{slug}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return await session.LoadAsync<StatusPage>(slug, ct) is { } page ? await RenderAsync(page, session, board, clock.GetUtcNow(), ct) : null;
        });
        return html is null ? NotFound() : TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static async Task<string> RenderAsync(StatusPage page, IQuerySession session, MachineBoard board, DateTimeOffset now, CancellationToken ct)
    {
        var machines = board.Current.Machines
            .Where(m => page.Tags.Count == 0 || m.Tags.Any(t => page.Tags.Contains(t, StringComparer.OrdinalIgnoreCase)))
            .OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
            .Take(MaxMachines)
            .ToList();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var rows = new List<StatusPageHtml.Row>();
        foreach (var m in machines)
        {
            var events = (await session.Events.FetchStreamAsync(m.Id, token: ct)).Select(e => e.Data).ToList();
            var days = Enumerable.Range(0, Days).Select(i => today.AddDays(i - Days + 1))
                .Select(day => new StatusPageHtml.Day(day, MachineTimeline.Uptime(events, day, day.AddDays(1) < now ? day.AddDays(1) : now)))
                .ToList();
            rows.Add(new StatusPageHtml.Row(m, MachineTimeline.Uptime(events, today.AddDays(-Days + 1), now), days));
        }
        return StatusPageHtml.Render(page, rows, now);
    }

    private static IResult NotFound() =>
        TypedResults.Content(StatusPageHtml.NotFound(), "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,63}$")]
    private static partial Regex Slug();
}
