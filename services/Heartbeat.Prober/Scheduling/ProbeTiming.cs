using System.Buffers.Binary;

namespace Heartbeat.Prober.Scheduling;

/// <summary>
/// When a machine is probed. Each machine has a fixed phase within its interval, taken from its id, and is probed
/// at phase, phase + interval, phase + 2·interval, … So 10,000 probes every 30 s arrive as ~333 a second rather
/// than 10,000 at once (no thundering herd), the times survive a restart or a new leader unchanged, and they do
/// not depend on when the prober happened to learn of the machine.
/// </summary>
public static class ProbeTiming
{
    /// <summary>The machine's offset within its interval: a hash of its id, uniform over [0, interval).</summary>
    public static TimeSpan PhaseOf(Guid machineId, TimeSpan interval)
    {
        Span<byte> bytes = stackalloc byte[16];
        machineId.TryWriteBytes(bytes);
        // Version 7 ids start with a timestamp: ids registered together share their first bytes, so mix all of them.
        var hash = BinaryPrimitives.ReadUInt64LittleEndian(bytes) * 0x9E3779B97F4A7C15UL ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        hash ^= hash >> 31;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 29;
        return TimeSpan.FromTicks((long)(hash % (ulong)interval.Ticks));
    }

    /// <summary>The first probe time of the machine strictly after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextDue(Guid machineId, TimeSpan interval, DateTimeOffset after)
    {
        var phase = PhaseOf(machineId, interval).Ticks;
        var periods = Math.DivRem(after.UtcTicks - phase, interval.Ticks, out _);
        var due = (periods + 1) * interval.Ticks + phase;
        return new DateTimeOffset(due, TimeSpan.Zero);
    }
}
