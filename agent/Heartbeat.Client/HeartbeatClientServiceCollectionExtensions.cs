using System.Net.Http.Headers;
using Heartbeat.Contracts.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Refit;

namespace Heartbeat.Client;

public static class HeartbeatClientServiceCollectionExtensions
{
    public const string HttpClientName = "Heartbeat.Client";

    /// <summary>
    /// Registers <see cref="HeartbeatClient"/> and each Refit interface of the public API, all over one named
    /// <see cref="HttpClient"/> from IHttpClientFactory with the standard resilience handler. Calls carry
    /// <c>Authorization: Bearer <paramref name="key"/></c> (an admin or read key) unless they name their own
    /// credential (a heartbeat's machine token, an enrolment key). Only safe methods are retried: a repeated
    /// registration would register twice. <paramref name="resilience"/> adjusts the pipeline further.
    /// </summary>
    public static IServiceCollection AddHeartbeatClient(
        this IServiceCollection services, Uri baseUrl, string? key, Action<HttpStandardResilienceOptions>? resilience = null)
    {
        services.AddHttpClient(HttpClientName, client => client.BaseAddress = baseUrl)
            .AddHttpMessageHandler(() => new BearerKeyHandler(key))
            .AddStandardResilienceHandler(options =>
            {
                options.Retry.DisableForUnsafeHttpMethods();
                resilience?.Invoke(options);
            });

        var settings = new RefitSettings(new SystemTextJsonContentSerializer(HeartbeatJson.Options));
        AddApi<IMachinesApi>(services, settings);
        AddApi<IMachineRetirementApi>(services, settings);
        AddApi<IHeartbeatApi>(services, settings);
        AddApi<IEnrollmentApi>(services, settings);
        AddApi<IChannelsApi>(services, settings);
        AddApi<IChannelTestsApi>(services, settings);
        services.AddTransient<HeartbeatClient>();
        return services;
    }

    public static IServiceCollection AddHeartbeatClient(this IServiceCollection services, string baseUrl, string? key) =>
        services.AddHeartbeatClient(new Uri(baseUrl), key);

    private static void AddApi<T>(IServiceCollection services, RefitSettings settings) where T : class =>
        services.AddTransient(sp => RestService.For<T>(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), settings));

    /// <summary>Adds the configured key to calls that carry no credential of their own.</summary>
    private sealed class BearerKeyHandler(string? key) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (request.Headers.Authorization is null && !string.IsNullOrEmpty(key))
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return base.SendAsync(request, ct);
        }
    }
}
