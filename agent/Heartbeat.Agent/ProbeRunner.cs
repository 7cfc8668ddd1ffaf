using System.Diagnostics;

namespace Heartbeat.Agent;

/// <summary>Runs checks and metric commands through <c>/bin/sh -c</c>, in parallel, each with a timeout.</summary>
public sealed class ProbeRunner(TimeSpan timeout)
{
    public sealed record Output(int? ExitCode, string Stdout, string Stderr, string? Failure);

    public async Task<(IReadOnlyList<CheckOutcome> Checks, IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<string> MetricProblems)> RunAsync(
        IReadOnlyList<CheckSpec> checks, IReadOnlyList<MetricSpec> metrics, CancellationToken ct)
    {
        var checkRuns = checks.Select(async c =>
        {
            var output = await RunAsync(c.Command, ct);
            var failure = output.Failure ?? (output.ExitCode == 0 ? null : $"exit {output.ExitCode}");
            return new CheckOutcome(c.Name, failure, ProbeOutput.FirstLine(output.Stdout, output.Stderr));
        }).ToList();
        var metricRuns = metrics.Select(async m => (m.Name, Output: await RunAsync(m.Command, ct))).ToList();
        await Task.WhenAll(checkRuns.Cast<Task>().Concat(metricRuns));

        var values = new Dictionary<string, double>();
        var problems = new List<string>();
        foreach (var (name, output) in metricRuns.Select(r => r.Result))
        {
            if (output.Failure is { } failure) problems.Add($"metric {name}: {failure}");
            else if (output.ExitCode != 0) problems.Add($"metric {name}: exit {output.ExitCode}");
            else if (MetricSpec.TryReadValue(output.Stdout, out var value)) values[name] = value;
            else problems.Add($"metric {name}: output '{ProbeOutput.FirstLine(output.Stdout, "")}' is not a number");
        }
        return (checkRuns.Select(r => r.Result).ToList(), values, problems);
    }

    private async Task<Output> RunAsync(string command, CancellationToken ct)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new Output(null, "", "", $"could not start: {e.Message}");
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
                return new Output(process.ExitCode, await stdout, await stderr, null);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                ct.ThrowIfCancellationRequested();
                return new Output(null, "", "", $"timed out after {timeout.TotalSeconds:0.#} s");
            }
        }
    }
}
