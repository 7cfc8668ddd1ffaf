using System.Globalization;
using Npgsql;

namespace Heartbeat.Benchmarks;

/// <summary>The command line: a scenario (ingest, detection, storage, all) and its options.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        usage: Heartbeat.Benchmarks <ingest|detection|storage|notify|probes|all> [options]
          --machines N          machines to register (ingest: 10000; detection: 10000, `all` runs 10000 and 100000;
                                probes: 10000 tcp-probed machines, not part of `all`)
          --duration 30s        length of each measured wrk run (ceiling and ingest)
          --warmup 5s           wrk warm-up before the measured runs, against each target
          --connections 64      wrk connections
          --threads 2           wrk threads
          --gateway URL         use a running platform at URL instead of starting one (no fresh database)
          --stop 10000          detection: machines that stop at once
                                notify: all --machines (10000) stop at once; a dead and a live channel
          --threshold 20s       detection: offline threshold of every machine (100000 machines: 60s unless given)
          --interval D          detection: heartbeat interval of each machine (default threshold / 3)
          --senders 128         detection: concurrent heartbeat requests of the load generator
          --report PATH         where to write the markdown report (default .run/bench-logs/report.md)
        environment: ConnectionStrings__Postgres, ConnectionStrings__RabbitMq (scripts/bench sets them to the
        heartbeat_bench database and virtual host), HEARTBEAT_ADMIN_KEY (with --gateway)
        """;

    public required string Command { get; init; }
    public int? Machines { get; init; }
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(5);
    public int Connections { get; init; } = 64;
    public int Threads { get; init; } = 2;
    public Uri? Gateway { get; init; }
    public int Stop { get; init; } = 10_000;
    public TimeSpan? Threshold { get; init; }
    public TimeSpan? Interval { get; init; }
    public int Senders { get; init; } = 128;
    public string ReportPath { get; init; } = "";
    public string AdminKey { get; init; } = "";
    public string Postgres { get; init; } = "";
    public string RabbitMq { get; init; } = "";
    public string RepositoryRoot { get; init; } = "";
    public string CommandLine { get; init; } = "";

    public bool StartsPlatform => Gateway is null;
    public string LogDirectory => Path.Combine(RepositoryRoot, ".run", "bench-logs");

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("ingest" or "detection" or "storage" or "notify" or "probes" or "all")) throw new UsageException("missing or unknown scenario");
        var root = FindRepositoryRoot();
        var options = new BenchOptions
        {
            Command = args[0],
            RepositoryRoot = root,
            ReportPath = Path.Combine(root, ".run", "bench-logs", "report.md"),
            AdminKey = Environment.GetEnvironmentVariable("HEARTBEAT_ADMIN_KEY") is { Length: > 0 } key ? key : "bench-" + Guid.NewGuid().ToString("N"),
            Postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
                       ?? "Host=127.0.0.1;Port=5432;Username=heartbeat;Password=heartbeat;Database=heartbeat_bench",
            RabbitMq = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq") ?? "amqp://guest:guest@127.0.0.1:5672/heartbeat_bench",
            CommandLine = "Heartbeat.Benchmarks " + string.Join(' ', args),
        };
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => ++i < args.Length ? args[i] : throw new UsageException($"{name} needs a value");
            options = name switch
            {
                "--machines" => options with { Machines = Int(Value()) },
                "--duration" => options with { Duration = Durations.Parse(Value()) },
                "--warmup" => options with { WarmUp = Durations.Parse(Value()) },
                "--connections" => options with { Connections = Int(Value()) },
                "--threads" => options with { Threads = Int(Value()) },
                "--gateway" => options with { Gateway = new Uri(Value()) },
                "--stop" => options with { Stop = Int(Value()) },
                "--threshold" => options with { Threshold = Durations.Parse(Value()) },
                "--interval" => options with { Interval = Durations.Parse(Value()) },
                "--senders" => options with { Senders = Int(Value()) },
                "--report" => options with { ReportPath = Path.GetFullPath(Value()) },
                _ => throw new UsageException($"unknown option {name}"),
            };
        }
        return options;
    }

    public string DatabaseName => new NpgsqlConnectionStringBuilder(Postgres).Database ?? "heartbeat_bench";

    private static int Int(string value) =>
        int.TryParse(value.Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new UsageException($"not a positive number: {value}");

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Heartbeat.Platform.sln"))) return dir.FullName;
        throw new UsageException("run it inside the repository (Heartbeat.Platform.sln not found)");
    }
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>Durations as the platform accepts them: 500ms, 30s, 2m, 1h, or 00:00:30.</summary>
public static class Durations
{
    public static TimeSpan Parse(string text)
    {
        text = text.Trim();
        double Number(int suffix) => double.Parse(text[..^suffix], CultureInfo.InvariantCulture);
        if (text.EndsWith("ms")) return TimeSpan.FromMilliseconds(Number(2));
        if (text.EndsWith('s')) return TimeSpan.FromSeconds(Number(1));
        if (text.EndsWith('m')) return TimeSpan.FromMinutes(Number(1));
        if (text.EndsWith('h')) return TimeSpan.FromHours(Number(1));
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)) return span;
        if (double.TryParse(text, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
        throw new UsageException($"not a duration: {text}");
    }

    /// <summary>wrk's form: whole seconds with an s.</summary>
    public static string ForWrk(TimeSpan span) => $"{Math.Max(1, (int)Math.Round(span.TotalSeconds))}s";
}
