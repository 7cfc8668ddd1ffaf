using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Status;

namespace Heartbeat.Detector.Tests.Status;

public class MachineQueryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static MachineView M(string name, string status, string[]? tags = null, string? host = null, int seenMinutesAgo = 1) =>
        new(Guid.CreateVersion7(), name, host ?? $"{name}.example", null, tags ?? [], status, T0.AddMinutes(-seenMinutesAgo), null, null, null, null, 120, 30, T0);

    private static MachineQuery.Filter Filter(string? status = null, string? tag = null, string? q = null, string? sort = null, string? cursor = null, int? limit = null)
    {
        var (filter, errors) = MachineQuery.Parse(status, tag, q, sort, cursor, limit);
        Assert.True(filter is not null, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(",", e.Value)}")));
        return filter!;
    }

    [Fact]
    public void Problems_come_first_then_by_name()
    {
        var fleet = new[] { M("a-online", "online"), M("b-paused", "paused"), M("c-late", "late"), M("d-offline", "offline"), M("e-warning", "warning"), M("f-new", "new"), M("a-offline", "offline") };
        var page = MachineQuery.Page(fleet, Filter());
        Assert.Equal(["a-offline", "d-offline", "e-warning", "c-late", "f-new", "a-online", "b-paused"], page.Machines.Select(m => m.Name));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public void Counts_per_status_ignore_the_status_filter_but_not_tag_or_search()
    {
        var fleet = new[] { M("web-1", "offline", ["web"]), M("web-2", "online", ["web"]), M("db-1", "offline", ["db"]) };
        var page = MachineQuery.Page(fleet, Filter(status: "online", tag: "WEB"));
        Assert.Equal(["web-2"], page.Machines.Select(m => m.Name));
        Assert.Equal(1, page.Total);
        Assert.Equal(1, page.Counts["offline"]);
        Assert.Equal(1, page.Counts["online"]);
        Assert.Equal(0, page.Counts["paused"]);
    }

    [Fact]
    public void Search_matches_name_or_hostname_ignoring_case()
    {
        var fleet = new[] { M("web-1", "online", host: "alpha.example"), M("db-1", "online", host: "WEBDB.example"), M("cache", "online") };
        Assert.Equal(["db-1", "web-1"], MachineQuery.Page(fleet, Filter(q: "web", sort: "name")).Machines.Select(m => m.Name));
    }

    [Fact]
    public void Several_statuses_filter_together()
    {
        var fleet = new[] { M("a", "offline"), M("b", "late"), M("c", "online") };
        Assert.Equal(["a", "b"], MachineQuery.Page(fleet, Filter(status: "offline,late")).Machines.Select(m => m.Name));
    }

    [Theory]
    [InlineData("problems")]
    [InlineData("name")]
    [InlineData("last_seen")]
    public void Cursor_pages_visit_every_machine_once(string sort)
    {
        var statuses = new[] { "offline", "online", "late", "paused", "new", "warning" };
        var fleet = Enumerable.Range(0, 250).Select(i => M($"m-{i % 37:D2}", statuses[i % statuses.Length], seenMinutesAgo: i % 11)).ToList();
        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = MachineQuery.Page(fleet, Filter(sort: sort, cursor: cursor, limit: 40));
            Assert.Equal(250, page.Total);
            seen.AddRange(page.Machines.Select(m => m.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);

        Assert.Equal(fleet.Select(m => m.Id).Order(), seen.Order());
        var expected = fleet.Select(MachineQuery.KeyOf).ToList();
        expected.Sort(MachineQuery.Comparer(sort));
        Assert.Equal(expected.Select(k => k.Id), seen);
    }

    [Fact]
    public void A_page_after_the_cursor_stays_put_when_a_machine_before_it_changes()
    {
        var fleet = Enumerable.Range(0, 10).Select(i => M($"m-{i}", "online")).ToList();
        var first = MachineQuery.Page(fleet, Filter(limit: 5));
        fleet[0] = fleet[0] with { Status = "offline" }; // moves to the very top, before the cursor
        var second = MachineQuery.Page(fleet, Filter(cursor: first.NextCursor, limit: 5));
        Assert.Equal(["m-5", "m-6", "m-7", "m-8", "m-9"], second.Machines.Select(m => m.Name));
    }

    [Theory]
    [InlineData("status", "broken", null, null, null)]
    [InlineData("sort", null, "size", null, null)]
    [InlineData("cursor", null, null, "not-a-cursor", null)]
    [InlineData("limit", null, null, null, 0)]
    [InlineData("limit", null, null, null, 1001)]
    public void Bad_parameters_are_named(string field, string? status, string? sort, string? cursor, int? limit)
    {
        var (filter, errors) = MachineQuery.Parse(status, null, null, sort, cursor, limit);
        Assert.Null(filter);
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void A_cursor_of_another_sort_is_refused()
    {
        var fleet = Enumerable.Range(0, 3).Select(i => M($"m-{i}", "online")).ToList();
        var cursor = MachineQuery.Page(fleet, Filter(limit: 1)).NextCursor;
        Assert.Contains("cursor", MachineQuery.Parse(null, null, null, "name", cursor, null).Errors.Keys);
    }
}
