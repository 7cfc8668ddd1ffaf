namespace Heartbeat.Notifier.Quiet;

public static class Dependencies
{
    /// <summary>
    /// The nearest ancestor (parent, its parent, ...) that is offline, if any: while it is, the machine's own
    /// outage is a consequence, told in the ancestor's notification. Safe against cycles and missing parents.
    /// </summary>
    public static Guid? OfflineAncestor(MachineFacts machine, Func<Guid, MachineFacts?> find, Func<Guid, bool> isOffline)
    {
        var seen = new HashSet<Guid> { machine.Id };
        for (var parentId = machine.DependsOn; parentId is { } id && seen.Add(id); parentId = find(id)?.DependsOn)
            if (isOffline(id)) return id;
        return null;
    }
}
