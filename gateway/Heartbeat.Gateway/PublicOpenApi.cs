using System.Text.Json.Nodes;
using Scalar.AspNetCore;
using Yarp.ReverseProxy;

namespace Heartbeat.Gateway;

/// <summary>
/// The public API's OpenAPI document at <c>/openapi/v1.json</c>, merged from the documents the services behind
/// the gateway publish, and its reference page (Scalar) at <c>/api/docs</c>. Only operations a gateway route
/// forwards to the service that documents them are kept, so the document promises nothing the gateway does
/// not serve. Merging is routing metadata, not business logic: it is done fresh per request (the documents are
/// small and read rarely) so a redeployed service shows at once.
/// </summary>
public static class PublicOpenApi
{
    public const string HttpClientName = "openapi";
    public const string Path = "/openapi/v1.json";

    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    public static IEndpointRouteBuilder MapPublicOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetAsync);
        app.MapScalarApiReference("/api/docs", o => o
            .WithTitle("Heartbeat.Platform API")
            .WithOpenApiRoutePattern(Path)
            .AddPreferredSecuritySchemes("adminKey"));
        return app;
    }

    /// <summary>One YARP route: its cluster, path template and methods (none: every method).</summary>
    public sealed record Route(string Cluster, string PathTemplate, IReadOnlyList<string> Methods)
    {
        /// <summary>Whether a request for the documented path (its <c>{parameters}</c> standing for one segment each) and method takes this route.</summary>
        public bool Forwards(string documentedPath, string method)
        {
            if (Methods.Count > 0 && !Methods.Contains(method, StringComparer.OrdinalIgnoreCase)) return false;
            var route = Segments(PathTemplate);
            var path = Segments(documentedPath);
            for (var i = 0; i < route.Length; i++)
            {
                if (route[i].StartsWith("{*", StringComparison.Ordinal)) return true; // {**rest}: any remainder, even none
                if (i >= path.Length) return false;
                var isParameter = route[i].StartsWith('{');
                if (!isParameter && !string.Equals(route[i], path[i], StringComparison.OrdinalIgnoreCase)) return false;
            }
            return route.Length == path.Length;
        }

        private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Merges the services' documents (cluster id → document) into the public one.</summary>
    public static JsonObject Merge(IReadOnlyList<(string Cluster, JsonObject Document)> documents, IReadOnlyList<Route> routes, IReadOnlyList<string> missing)
    {
        var paths = new JsonObject();
        var components = new JsonObject();
        var tags = new JsonArray();
        var tagNames = new HashSet<string>();
        foreach (var (cluster, document) in documents)
        {
            foreach (var (path, item) in document["paths"]?.AsObject() ?? [])
            {
                if (item is not JsonObject operations) continue;
                // A group's "/" endpoint is documented as "/api/machines/": one path for one resource.
                var key = path.Length > 1 ? path.TrimEnd('/') : path;
                foreach (var (method, operation) in operations)
                {
                    if (!Methods.Contains(method) || !routes.Any(r => r.Cluster == cluster && r.Forwards(key, method))) continue;
                    if (paths[key] is not JsonObject merged) paths[key] = merged = new JsonObject();
                    merged[method] ??= operation!.DeepClone();
                }
            }
            foreach (var (kind, entries) in document["components"]?.AsObject() ?? [])
            {
                if (entries is not JsonObject named) continue;
                if (components[kind] is not JsonObject target) components[kind] = target = new JsonObject();
                foreach (var (name, value) in named) target[name] ??= value?.DeepClone();
            }
            foreach (var tag in document["tags"]?.AsArray() ?? [])
                if (tag?["name"]?.GetValue<string>() is { } name && tagNames.Add(name)) tags.Add(tag.DeepClone());
        }
        paths["/health"] = Health();

        var description = "The public API of Heartbeat.Platform, as the gateway serves it. JSON is snake_case; errors are RFC 7807 problem details. " +
                          "Every key or token goes in Authorization: Bearer <value>.";
        if (missing.Count > 0) description += $" Not included because they did not answer: {string.Join(", ", missing)}.";
        return new JsonObject
        {
            ["x-missing-services"] = new JsonArray(missing.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["openapi"] = documents.FirstOrDefault().Document?["openapi"]?.DeepClone() ?? "3.1.1",
            ["info"] = new JsonObject { ["title"] = "Heartbeat.Platform API", ["version"] = "v1", ["description"] = description },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["paths"] = new JsonObject(paths.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))),
            ["components"] = components,
            ["tags"] = tags,
        };
    }

    // The gateway's own readiness call.
    private static JsonObject Health() => new()
    {
        ["get"] = new JsonObject
        {
            ["tags"] = new JsonArray("Gateway"),
            ["summary"] = "200 when the gateway and every service behind it (with its PostgreSQL and RabbitMQ) are ready; 503 naming those that are not.",
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject { ["description"] = "Everything is ready." },
                ["503"] = new JsonObject { ["description"] = "Some service is not ready." },
            },
        },
    };

    private static async Task<IResult> GetAsync(IProxyStateLookup proxy, IHttpClientFactory clients, ILoggerFactory logs, CancellationToken ct)
    {
        var client = clients.CreateClient(HttpClientName);
        var routes = proxy.GetRoutes()
            .Select(r => new Route(r.Config.ClusterId ?? "", r.Config.Match.Path ?? "/{**all}", r.Config.Match.Methods?.ToList() ?? []))
            .ToList();
        // A cluster no route reaches (the prober, behind the gateway only for GET /health) has nothing public to document.
        var fetched = await Task.WhenAll(proxy.GetClusters().Where(c => routes.Any(r => r.Cluster == c.ClusterId)).Select(async cluster =>
        {
            foreach (var destination in cluster.Destinations.Values)
            {
                try
                {
                    var json = await client.GetStringAsync(new Uri(new Uri(destination.Model.Config.Address), Path.TrimStart('/')), ct);
                    if (JsonNode.Parse(json) is JsonObject document) return (cluster.ClusterId, Document: document);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
                {
                    logs.CreateLogger(typeof(PublicOpenApi)).LogWarning("No OpenAPI document from {Cluster} at {Address}: {Error}", cluster.ClusterId, destination.Model.Config.Address, e.Message);
                }
            }
            return (cluster.ClusterId, Document: (JsonObject?)null);
        }));
        var documents = fetched.Where(f => f.Document is not null).Select(f => (f.ClusterId, f.Document!)).OrderBy(f => f.ClusterId).ToList();
        var missing = fetched.Where(f => f.Document is null).Select(f => f.ClusterId).Order().ToList();
        return TypedResults.Text(Merge(documents, routes, missing).ToJsonString(), "application/json");
    }
}
