using System.CommandLine;
using System.Net;
using System.Text.Json;
using Heartbeat.Client;
using Heartbeat.Contracts.Http;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Heartbeat.Cli;

/// <summary>A failure the CLI explains in one sentence and exits with.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Unknown) : Exception(message)
{
    public int ExitCode => exitCode;
}

/// <summary>The options every command takes.</summary>
public static class GlobalOptions
{
    public const string DefaultUrl = "http://localhost:8080";

    public static readonly Option<string?> Url = new("--url") { Description = $"The gateway's URL (env HEARTBEAT_URL, default {DefaultUrl}).", Recursive = true };
    public static readonly Option<string?> Key = new("--key") { Description = "An admin key, or a read key for reading (env HEARTBEAT_ADMIN_KEY).", Recursive = true };
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON for scripts instead of tables.", Recursive = true };
}

/// <summary>One command's run: where the platform is, the client, and how to print.</summary>
public sealed class CliSession : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Indented = new(HeartbeatJson.Options) { WriteIndented = true };
    private readonly ServiceProvider _services;

    private CliSession(Uri url, string key, bool json)
    {
        Url = url;
        Json = json;
        // A person is waiting: one quick retry of a read, then say what is wrong.
        _services = new ServiceCollection()
            .AddHeartbeatClient(url, key, o =>
            {
                o.Retry.MaxRetryAttempts = 1;
                o.Retry.Delay = TimeSpan.FromMilliseconds(200);
            })
            .BuildServiceProvider();
        Client = _services.GetRequiredService<HeartbeatClient>();
        Out = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        // Piped into grep or a file: no wrapping of rows at 80 columns.
        if (Console.IsOutputRedirected) Out.Profile.Width = 240;
    }

    public Uri Url { get; }
    public bool Json { get; }
    public HeartbeatClient Client { get; }
    public IAnsiConsole Out { get; }

    public static CliSession Open(ParseResult parsed)
    {
        var urlText = parsed.GetValue(GlobalOptions.Url) ?? Environment.GetEnvironmentVariable("HEARTBEAT_URL") ?? GlobalOptions.DefaultUrl;
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new CliException($"'{urlText}' is not the gateway's URL: give an absolute http(s) URL with --url or HEARTBEAT_URL.", ExitCodes.Usage);
        var key = parsed.GetValue(GlobalOptions.Key) ?? Environment.GetEnvironmentVariable("HEARTBEAT_ADMIN_KEY");
        if (string.IsNullOrWhiteSpace(key))
            throw new CliException("No key: set HEARTBEAT_ADMIN_KEY or pass --key.", ExitCodes.Usage);
        return new CliSession(url, key.Trim(), parsed.GetValue(GlobalOptions.Json));
    }

    public void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>A machine by id, or by its name when that names exactly one machine.</summary>
    public async Task<MachineView> FindMachineAsync(string nameOrId, CancellationToken ct)
    {
        if (Guid.TryParse(nameOrId, out var id))
        {
            var response = await Client.Machines.Get(id, ct);
            if (response.StatusCode == HttpStatusCode.NotFound) throw new CliException($"There is no machine {id}.");
            return response.ContentOrThrow();
        }
        var named = (await Client.ListMachinesAsync(null, ct)).Where(m => string.Equals(m.Name, nameOrId, StringComparison.OrdinalIgnoreCase)).ToList();
        return named.Count switch
        {
            0 => throw new CliException($"There is no machine named '{nameOrId}' (heartbeat machines list shows them all)."),
            1 => named[0],
            _ => throw new CliException($"{named.Count} machines are named '{nameOrId}'; name one by its id: {string.Join(", ", named.Select(m => m.Id))}."),
        };
    }

    /// <summary>Runs a command's body, turning every way it can fail into one line on stderr and an exit code.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Run(Func<CliSession, ParseResult, CancellationToken, Task<int>> body) =>
        async (parsed, ct) =>
        {
            CliSession? session = null;
            try
            {
                session = Open(parsed);
                return await body(session, parsed, ct);
            }
            catch (CliException e)
            {
                return Fail(e.Message, e.ExitCode);
            }
            catch (HeartbeatApiException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return Fail($"The platform at {session!.Url} refused the key ({(int)e.StatusCode}): {e.Message} Check HEARTBEAT_ADMIN_KEY or --key.");
            }
            catch (HeartbeatApiException e)
            {
                var fields = e.Errors.Count > 0 ? " " + string.Join(" ", e.Errors.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}")) : "";
                return Fail($"The platform answered {(int)e.StatusCode} {e.Title}: {e.Message}{fields}");
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
                                          or Polly.CircuitBreaker.BrokenCircuitException
                                          || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                return Fail($"Cannot reach the platform at {session?.Url}: {e.Message}");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok; // Ctrl-C ends `watch`; that is how it is meant to stop
            }
            finally
            {
                if (session is not null) await session.DisposeAsync();
            }
        };

    private static int Fail(string message, int exitCode = ExitCodes.Unknown)
    {
        Console.Error.WriteLine("heartbeat: " + message);
        return exitCode;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
