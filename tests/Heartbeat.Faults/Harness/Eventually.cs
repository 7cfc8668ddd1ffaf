namespace Heartbeat.Faults.Harness;

/// <summary>Bounded polling with a message that says what never happened.</summary>
public static class Eventually
{
    public static async Task<T> Async<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan within, TimeSpan? every = null)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        var value = await read();
        while (!done(value))
        {
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail($"Within {within.TotalSeconds:F0} s, expected: {what}. Last seen: {value}");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
            value = await read();
        }
        return value;
    }
}
