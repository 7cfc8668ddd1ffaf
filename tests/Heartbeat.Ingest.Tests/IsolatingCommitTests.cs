using Heartbeat.Ingest.Heartbeats;
using Npgsql;

namespace Heartbeat.Ingest.Tests;

/// <summary>A commit refused because of one heartbeat's content is retried by halves until only that heartbeat fails.</summary>
public class IsolatingCommitTests
{
    private static readonly PostgresException NulRefused = new("unsupported Unicode escape sequence", "ERROR", "ERROR", "22P05");

    private sealed class Outcome
    {
        public readonly Dictionary<int, Exception?> Settled = new();
        public readonly List<int[]> Commits = [];

        public void Settle(ArraySegment<int> part, Exception? failure)
        {
            foreach (var item in part)
            {
                Assert.False(Settled.ContainsKey(item), $"heartbeat {item} settled twice");
                Settled[item] = failure;
            }
        }
    }

    /// <summary>A database that refuses any commit holding one of <paramref name="poisoned"/>.</summary>
    private static async Task<(Outcome Outcome, int Attempts)> CommitAsync(int count, Exception failure, params int[] poisoned)
    {
        var outcome = new Outcome();
        var attempts = await IsolatingCommit.RunAsync(
            new ArraySegment<int>(Enumerable.Range(0, count).ToArray()),
            part =>
            {
                outcome.Commits.Add(part.ToArray());
                return part.Any(poisoned.Contains) ? Task.FromException(failure) : Task.CompletedTask;
            },
            outcome.Settle,
            IsolatingCommit.CausedByContent);
        return (outcome, attempts);
    }

    [Fact]
    public async Task Only_the_poisoned_heartbeat_fails_and_every_other_one_is_committed()
    {
        var (outcome, attempts) = await CommitAsync(100, NulRefused, poisoned: 37);

        Assert.Equal(100, outcome.Settled.Count);
        Assert.IsType<PostgresException>(outcome.Settled[37]);
        Assert.All(outcome.Settled.Where(s => s.Key != 37), s => Assert.Null(s.Value));
        // Halving: about two commits per level of a 100-item batch, far fewer than one per heartbeat.
        Assert.InRange(attempts, 2, 2 * (int)Math.Ceiling(Math.Log2(100)) + 1);
        Assert.Equal(attempts, outcome.Commits.Count);
    }

    [Fact]
    public async Task Two_poisoned_heartbeats_fail_alone()
    {
        var (outcome, _) = await CommitAsync(64, NulRefused, 3, 60);

        Assert.Equal([3, 60], outcome.Settled.Where(s => s.Value is not null).Select(s => s.Key).Order());
        Assert.Equal(62, outcome.Settled.Count(s => s.Value is null));
    }

    [Fact]
    public async Task A_healthy_batch_is_one_commit()
    {
        var (outcome, attempts) = await CommitAsync(500, NulRefused);

        Assert.Equal(1, attempts);
        Assert.All(outcome.Settled.Values, Assert.Null);
    }

    [Fact]
    public async Task A_failure_not_caused_by_content_fails_the_whole_batch_at_once()
    {
        var (outcome, attempts) = await CommitAsync(100, new NpgsqlException("connection refused"), poisoned: 5);

        Assert.Equal(1, attempts);
        Assert.Equal(100, outcome.Settled.Count(s => s.Value is NpgsqlException));
    }

    [Theory]
    [InlineData("22P05", true)]  // untranslatable character (\u0000 in text or jsonb)
    [InlineData("22021", true)]  // character not in repertoire
    [InlineData("54000", true)]  // program limit exceeded
    [InlineData("40001", false)] // serialization failure: retry the batch, not the halves
    [InlineData("57P01", false)] // admin shutdown
    public void Tells_content_failures_from_the_others(string sqlState, bool causedByContent) =>
        Assert.Equal(causedByContent, IsolatingCommit.CausedByContent(
            new InvalidOperationException("wrapped", new PostgresException("m", "ERROR", "ERROR", sqlState))));
}
