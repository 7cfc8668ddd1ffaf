using System.Diagnostics;
using System.Globalization;
using System.Text;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Benchmarks;

/// <summary>What one wrk run printed: its own summary plus the counts and percentiles our Lua done() wrote.</summary>
public sealed record WrkResult(
    string Target, double Seconds, long Requests, long Ok2xx, long Non2xx, long SocketErrors,
    double P50Ms, double P99Ms, double P999Ms, double MaxMs, string RawOutput, IReadOnlyList<ProcessUsage> Usage)
{
    public double OkPerSecond => Ok2xx / Seconds;
    public long Errors => Non2xx + SocketErrors;
}

/// <summary>
/// Runs wrk with a Lua script that rotates machine id and token per request, POSTs a small JSON heartbeat,
/// counts 2xx and non-2xx in response(), and prints percentiles from latency:percentile() in done().
/// The same script serves the ceiling: its only argument is a path prefix (/bench/noop) put before /api/heartbeat.
/// </summary>
public sealed class Wrk(BenchOptions options)
{
    private string _script = "";

    public void WriteScript(IReadOnlyList<RegisteredMachine> machines)
    {
        var lua = new StringBuilder();
        lua.AppendLine("-- written by Heartbeat.Benchmarks: one {id, token} per registered machine");
        lua.AppendLine("local machines = {");
        foreach (var m in machines) lua.Append("{\"").Append(m.Id).Append("\",\"").Append(m.Token).AppendLine("\"},");
        lua.AppendLine("}");
        lua.Append("""
            local body = '{"agent_version":"bench","status":"ok"}'
            local threads = {}
            local prefix = ""
            local counter = 0

            function setup(thread)
              thread:set("thread_index", #threads)
              table.insert(threads, thread)
            end

            function init(args)
              prefix = args[1] or ""
              ok2xx = 0
              non2xx = 0
              -- threads start at different machines so they do not send the same ones in step
              counter = math.floor(thread_index * #machines / 7)
            end

            function request()
              counter = counter + 1
              local m = machines[(counter % #machines) + 1]
              return wrk.format("POST", prefix .. "/api/heartbeat/" .. m[1],
                { ["Authorization"] = "Bearer " .. m[2], ["Content-Type"] = "application/json" }, body)
            end

            function response(status, headers, body)
              if status >= 200 and status < 300 then ok2xx = ok2xx + 1 else non2xx = non2xx + 1 end
            end

            function done(summary, latency, requests)
              local ok, bad = 0, 0
              for _, t in ipairs(threads) do
                ok = ok + t:get("ok2xx")
                bad = bad + t:get("non2xx")
              end
              local e = summary.errors
              io.write(string.format(
                "BENCH duration_us=%d requests=%d ok2xx=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
                summary.duration, summary.requests, ok, bad, e.connect + e.read + e.write + e.timeout,
                latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
            end

            """);
        Directory.CreateDirectory(options.LogDirectory);
        _script = Path.Combine(options.LogDirectory, "heartbeats.lua");
        File.WriteAllText(_script, lua.ToString());
    }

    /// <summary>One run of wrk against <paramref name="baseUrl"/>; the sampler covers exactly the run.</summary>
    public async Task<WrkResult> RunAsync(string target, Uri baseUrl, string prefix, TimeSpan duration, Func<Func<IEnumerable<int>>, ProcessSampler>? sampler, CancellationToken ct)
    {
        var start = new ProcessStartInfo("wrk",
        [
            "-t", options.Threads.ToString(CultureInfo.InvariantCulture), "-c", options.Connections.ToString(CultureInfo.InvariantCulture),
            "-d", Durations.ForWrk(duration), "--latency", "--timeout", "10s", "-s", _script, baseUrl.ToString().TrimEnd('/'), "--", prefix,
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (is it installed? scripts/bench installs it)");
        await using var sampling = sampler?.Invoke(() => process.HasExited ? [] : [process.Id]);
        sampling?.Start();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(duration + TimeSpan.FromSeconds(60), ct);
        var usage = sampling is null ? [] : await sampling.StopAsync();
        var output = await stdout + await stderr;
        if (process.ExitCode != 0) throw new InvalidOperationException($"wrk exited with {process.ExitCode}:\n{output}");
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("BENCH ", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException("wrk printed no BENCH line:\n" + output);
        var values = line[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('='))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
        return new WrkResult(target, values["duration_us"] / 1e6, values["requests"], values["ok2xx"], values["non2xx"], values["socket_errors"],
            values["p50_us"] / 1000.0, values["p99_us"] / 1000.0, values["p999_us"] / 1000.0, values["max_us"] / 1000.0, output.TrimEnd(), usage);
    }
}
