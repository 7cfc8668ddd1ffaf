namespace Heartbeat.Agent;

/// <summary>One line per event on standard error (the journal under systemd). Never prints tokens or keys.</summary>
public sealed class AgentLog(TextWriter writer, TimeProvider clock)
{
    public void Info(string message) => Write("info", message);
    public void Warn(string message) => Write("warn", message);
    public void Error(string message) => Write("error", message);

    private void Write(string level, string message)
    {
        lock (writer) writer.WriteLine($"{clock.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {level} {message}");
    }
}
