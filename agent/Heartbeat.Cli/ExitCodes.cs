namespace Heartbeat.Cli;

/// <summary>
/// Exit codes, as monitoring plugins use them, so <c>heartbeat machines list</c> can run from cron or
/// another monitor: 0 fine, 1 some machine late or warning, 2 some machine offline, 3 the answer is unknown
/// (gateway unreachable, key refused, not found, invalid input). Usage errors are 64 (EX_USAGE).
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Warning = 1;
    public const int Critical = 2;
    public const int Unknown = 3;
    public const int Usage = 64;
}
