using System.Text;
using System.Text.Json;
using Npgsql;

namespace Heartbeat.Ingest.Heartbeats;

/// <summary>
/// Poison isolation for group commit. When a batch's commit fails because of what one heartbeat holds
/// (PostgreSQL refused a value), the batch is committed again in halves, and each failing half halved
/// again, so only the heartbeat that caused it fails and every other request in the batch is stored.
/// A failure that is not about the content (the database is down, a timeout) fails the whole batch at
/// once: halving would only multiply the failed attempts.
/// </summary>
public static class IsolatingCommit
{
    /// <summary>
    /// Commits <paramref name="batch"/>, halving on content failures; <paramref name="settle"/> is told the
    /// outcome of every part exactly once (null when committed). Returns the commit attempts made.
    /// </summary>
    public static async Task<int> RunAsync<T>(
        ArraySegment<T> batch, Func<ArraySegment<T>, Task> commit, Action<ArraySegment<T>, Exception?> settle, Func<Exception, bool> causedByContent)
    {
        try
        {
            await commit(batch);
            settle(batch, null);
            return 1;
        }
        catch (Exception e) when (batch.Count > 1 && causedByContent(e))
        {
            var half = batch.Count / 2;
            var first = await RunAsync(batch[..half], commit, settle, causedByContent);
            return 1 + first + await RunAsync(batch[half..], commit, settle, causedByContent);
        }
        catch (Exception e)
        {
            settle(batch, e);
            return 1;
        }
    }

    /// <summary>
    /// Whether a failed commit is about a value it carried: PostgreSQL's data exceptions (class 22, e.g. 22P05
    /// "\u0000 cannot be converted to text") and program limits (class 54), or a value that could not be
    /// serialized or encoded before it was sent.
    /// </summary>
    public static bool CausedByContent(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is PostgresException { SqlState: var state } && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("54", StringComparison.Ordinal)))
                return true;
            if (inner is JsonException or EncoderFallbackException) return true;
        }
        return false;
    }
}
