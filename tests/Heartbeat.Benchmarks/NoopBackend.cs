using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Heartbeat.Benchmarks;

/// <summary>
/// The ceiling's backend: answers every POST with 200 <c>{}</c> and does nothing else, so a run through the
/// ceiling gateway measures the box (wrk, gateway, loopback) without ingest, PostgreSQL or the detector.
/// Runs inside the harness on 127.0.0.1:7199.
/// </summary>
public sealed class NoopBackend : IAsyncDisposable
{
    public const int Port = 7199;
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/{**rest}", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null); // read the body like ingest does
            return Results.Text("{}", "application/json");
        });
        _app.MapGet("/health/ready", () => Results.Ok()); // the ceiling gateway's /health asks every cluster
        await _app.StartAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
