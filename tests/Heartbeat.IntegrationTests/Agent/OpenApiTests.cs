using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Agent;

/// <summary>The merged public OpenAPI document the gateway serves, against the routes the gateway really has.</summary>
[Collection(PlatformCollection.Name)]
public sealed partial class OpenApiTests(PlatformFixture platform)
{
    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    private sealed record GatewayRoute(string Name, string Cluster, string Path, IReadOnlyList<string> Methods)
    {
        public bool IsCatchAll => Path.Contains("{*");
    }

    /// <summary>The routes from the configuration the fixture's gateway runs with.</summary>
    private static List<GatewayRoute> GatewayRoutes()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(BuiltPrograms.RepositoryRoot, "gateway", "Heartbeat.Gateway", "appsettings.json")))!;
        return config["ReverseProxy"]!["Routes"]!.AsObject().Select(r => new GatewayRoute(
            r.Key, r.Value!["ClusterId"]!.GetValue<string>(), r.Value["Match"]!["Path"]!.GetValue<string>(),
            r.Value["Match"]!["Methods"]?.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()).ToList() ?? [])).ToList();
    }

    /// <summary>A document; the gateway's once every service behind it has contributed (it names those that did not answer).</summary>
    private async Task<JsonObject> DocumentAsync(Uri baseAddress) =>
        await Eventually.Async(async () =>
        {
            var response = await platform.Http.GetAsync(new Uri(baseAddress, "/openapi/v1.json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        }, d => d["x-missing-services"] is not JsonArray { Count: > 0 }, $"the OpenAPI document at {baseAddress} from every service", 60);

    private static string Shape(string path) => Parameter().Replace(path.Length > 1 ? path.TrimEnd('/') : path, "{}");

    private static HashSet<(string Path, string Method)> Operations(JsonObject document) =>
        document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Shape(p.Key), o.Key.ToUpperInvariant())))
            .ToHashSet();

    [Fact]
    public async Task Every_operation_a_service_documents_and_the_gateway_forwards_is_in_the_public_document()
    {
        var merged = Operations(await DocumentAsync(platform.Gateway.BaseAddress));
        var routes = GatewayRoutes();
        var services = new Dictionary<string, ServiceProcess> { ["ingest"] = platform.Ingest, ["detector"] = platform.Detector, ["notifier"] = platform.Notifier };
        var checkedOperations = 0;
        foreach (var (cluster, service) in services)
        {
            foreach (var (path, method) in Operations(await DocumentAsync(service.BaseAddress)))
            {
                if (!routes.Any(r => r.Cluster == cluster && Forwards(r, path, method))) continue;
                Assert.Contains((path, method), merged);
                checkedOperations++;
            }
        }
        Assert.True(checkedOperations >= 12, $"expected the platform's dozen-odd public operations, checked {checkedOperations}");
    }

    [Fact]
    public async Task Every_gateway_route_is_documented_or_reaches_nothing()
    {
        var merged = Operations(await DocumentAsync(platform.Gateway.BaseAddress));
        using var admin = new HttpClient { BaseAddress = platform.Gateway.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PlatformFixture.AdminKey);

        foreach (var route in GatewayRoutes())
        {
            if (route.IsCatchAll)
            {
                Assert.True(merged.Any(o => Forwards(route, o.Path, o.Method)), $"route {route.Name} ({route.Path}) forwards to operations none of which is documented");
                continue;
            }
            foreach (var method in route.Methods.Count > 0 ? route.Methods : AllMethods)
            {
                if (merged.Contains((Shape(route.Path), method))) continue;
                // Not documented: then the service behind it must have nothing there.
                var concrete = Parameter().Replace(route.Path, Guid.NewGuid().ToString());
                var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), concrete) { Content = new StringContent("{}", null, "application/json") });
                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed,
                    $"{method} {route.Path} (route {route.Name}) answers {(int)response.StatusCode} but is not in /openapi/v1.json");
            }
        }
    }

    [Fact]
    public async Task The_document_describes_the_credentials_and_which_call_takes_which()
    {
        var document = await DocumentAsync(platform.Gateway.BaseAddress);
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        foreach (var scheme in new[] { "adminKey", "readKey", "machineToken", "enrollmentKey" })
        {
            Assert.True(schemes.ContainsKey(scheme), $"security scheme {scheme} missing");
            Assert.Equal("bearer", schemes[scheme]!["scheme"]!.GetValue<string>());
        }

        string[] Accepted(string path, string method) => document["paths"]![path]![method]!["security"]!.AsArray()
            .SelectMany(r => r!.AsObject().Select(p => p.Key)).Order().ToArray();
        Assert.Equal(["machineToken"], Accepted("/api/heartbeat/{machineId}", "post"));
        Assert.Equal(["adminKey", "enrollmentKey"], Accepted("/api/machines/enroll", "post"));
        Assert.Equal(["adminKey"], Accepted("/api/machines", "post"));
        Assert.Equal(["adminKey", "readKey"], Accepted("/api/machines", "get"));
        Assert.NotNull(document["paths"]!["/api/machines"]!["post"]!["requestBody"]);
        Assert.NotNull(document["paths"]!["/health"]!["get"]);
    }

    [Fact]
    public async Task The_reference_page_is_served_at_api_docs()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = true }) { BaseAddress = platform.Gateway.BaseAddress };
        var response = await http.GetAsync("/api/docs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("v1.json", page);
        Assert.Contains("scalar", page, StringComparison.OrdinalIgnoreCase);
    }

    private static bool Forwards(GatewayRoute route, string shapedPath, string method)
    {
        if (route.Methods.Count > 0 && !route.Methods.Contains(method)) return false;
        var pattern = "^" + string.Join("/", route.Path.Split('/').Select(s =>
            s.StartsWith("{*") ? "(?:.*)" : s.StartsWith('{') ? "\\{\\}" : Regex.Escape(s))) + "$";
        // A catch-all also matches the bare prefix: /api/channels for /api/channels/{**rest}.
        pattern = pattern.Replace("/(?:.*)$", "(?:/.*)?$");
        return Regex.IsMatch(shapedPath, pattern, RegexOptions.IgnoreCase);
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();
}
