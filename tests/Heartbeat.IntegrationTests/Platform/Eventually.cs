namespace Heartbeat.IntegrationTests.Platform;

/// <summary>Bounded polling for state that settles asynchronously (projections), with a message that says what never happened.</summary>
public static class Eventually
{
    public static async Task<T> Async<T>(Func<Task<T>> read, Func<T, bool> done, string what, int seconds = 10)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        T value = await read();
        while (!done(value))
        {
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail($"Within {seconds} s, expected: {what}. Last seen: {value}");
            await Task.Delay(100);
            value = await read();
        }
        return value;
    }
}
