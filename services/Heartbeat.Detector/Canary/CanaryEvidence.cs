namespace Heartbeat.Detector.Canary;

/// <summary>
/// What this process's canary sender last experienced, on the detector's clock: the cause given when the canary
/// stops arriving.
/// </summary>
public sealed class CanaryEvidence
{
    private readonly Lock _gate = new();
    private (DateTimeOffset At, string Reason)? _lastFailure;
    private DateTimeOffset? _lastSuccess;
    private Guid? _own;

    /// <summary>This process's own canary machine, once registered: never a crashed instance's, whatever its heartbeats say.</summary>
    public Guid? Own
    {
        get { lock (_gate) return _own; }
        set { lock (_gate) _own = value; }
    }

    public void Accepted(DateTimeOffset at)
    {
        lock (_gate) _lastSuccess = at;
    }

    public void Refused(DateTimeOffset at, string reason)
    {
        lock (_gate) _lastFailure = (at, reason);
    }

    /// <summary>Why the canary is not arriving, as far as its sender can tell.</summary>
    public string Cause()
    {
        lock (_gate)
        {
            if (_lastFailure is { } failure && (_lastSuccess is not { } success || failure.At > success))
                return $"canary heartbeat not accepted: {failure.Reason}";
            if (_lastSuccess is not null)
                return "canary heartbeats were accepted but not read back from the store in time (the store or the tracker is behind)";
            return "no canary heartbeat could be sent yet";
        }
    }
}
