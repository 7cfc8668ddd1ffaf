using System.ComponentModel.DataAnnotations;
using Heartbeat.Notifier.Quiet;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Heartbeat.Notifier.Tests.Quiet;

/// <summary>The storm rule's windows: who goes alone, who is merged, which digest each joins, when the storm is over.</summary>
public class StormTests
{
    private static readonly StormOptions TwentyIn30Seconds = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private int _ids;

    private Guid NewId() => new(++_ids, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0]);

    /// <summary>A machine (numbered) changing now; the clock then moves on by <paramref name="then"/>.</summary>
    private StormTransition Change(int machine, TimeSpan? then = null)
    {
        var t = new StormTransition(new Guid(machine, 1, 1, [1, 1, 1, 1, 1, 1, 1, 1]), Guid.CreateVersion7(), _clock.GetUtcNow());
        _clock.Advance(then ?? TimeSpan.Zero);
        return t;
    }

    private (IReadOnlyList<StormVerdict> Verdicts, IReadOnlyList<OpenDigest> Opened) Judge(
        IReadOnlyList<StormTransition> arriving, IReadOnlyList<StormTransition>? recorded = null, IReadOnlyList<OpenDigest>? open = null) =>
        Storm.Judge(recorded ?? [], open ?? [], arriving, TwentyIn30Seconds, NewId);

    [Fact]
    public void Fifty_at_once_the_first_twenty_alone_the_other_thirty_in_one_digest_due_a_window_after_the_first_merged()
    {
        var fifty = Enumerable.Range(1, 50).Select(i => Change(i, TimeSpan.FromMilliseconds(100))).ToList();

        var (verdicts, opened) = Judge(fifty);

        Assert.Equal(20, verdicts.Count(v => v.Digest is null));
        Assert.All(verdicts.Take(20), v => Assert.Null(v.Digest));
        var digest = Assert.Single(opened);
        Assert.All(verdicts.Skip(20), v => Assert.Equal(digest.Id, v.Digest));
        Assert.Equal(fifty[20].At, digest.OpenedAt);
        Assert.Equal(fifty[20].At + TimeSpan.FromSeconds(30), digest.DueAt);
    }

    [Fact]
    public void A_storm_is_possible_only_among_more_transitions_than_the_threshold()
    {
        Assert.False(Storm.Possible(20, TwentyIn30Seconds));
        Assert.True(Storm.Possible(21, TwentyIn30Seconds));
    }

    [Fact]
    public void Twenty_within_the_window_are_not_a_storm_the_twenty_first_is()
    {
        var twenty = Enumerable.Range(1, 20).Select(i => Change(i, TimeSpan.FromSeconds(1))).ToList();
        Assert.All(Judge(twenty).Verdicts, v => Assert.Null(v.Digest));

        var (verdicts, opened) = Judge([Change(21)], recorded: twenty);
        Assert.NotNull(Assert.Single(verdicts).Digest);
        Assert.Single(opened);
    }

    [Fact]
    public void A_transition_exactly_one_window_later_no_longer_counts()
    {
        var first = Change(1, TimeSpan.FromSeconds(1));
        var others = Enumerable.Range(2, 19).Select(i => Change(i)).ToList(); // nineteen more, one second after the first
        _clock.Advance(TimeSpan.FromSeconds(29) - TimeSpan.FromTicks(1));     // one tick inside the first one's window

        Assert.NotNull(Assert.Single(Judge([Change(21)], recorded: [first, .. others]).Verdicts).Digest);
        _clock.Advance(TimeSpan.FromTicks(1));                                // the first is exactly 30 s old now
        Assert.Null(Assert.Single(Judge([Change(22)], recorded: [first, .. others]).Verdicts).Digest);
    }

    [Fact]
    public void One_recorded_before_it_that_happened_after_it_still_counts()
    {
        var late = Change(1);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var recordedFirst = Enumerable.Range(2, 20).Select(i => Change(i)).ToList(); // happened 5 s later, recorded earlier

        Assert.NotNull(Assert.Single(Judge([late], recorded: recordedFirst).Verdicts).Digest);
    }

    [Fact]
    public void A_machine_changing_twice_counts_once()
    {
        var flapping = Enumerable.Range(0, 25).Select(_ => Change(1, TimeSpan.FromMilliseconds(100))).ToList();
        var others = Enumerable.Range(2, 18).Select(i => Change(i)).ToList(); // 43 transitions, 19 machines

        Assert.Null(Assert.Single(Judge([Change(21)], recorded: [.. flapping, .. others]).Verdicts).Digest);
    }

    [Fact]
    public void A_storm_that_goes_on_opens_a_digest_per_window()
    {
        // Two machines a second for 80 s: every one after the twentieth is merged, into digests a window apart.
        var storm = Enumerable.Range(1, 160).Select(i => Change(i, TimeSpan.FromMilliseconds(500))).ToList();

        var (verdicts, opened) = Judge(storm);

        Assert.Equal(20, verdicts.Count(v => v.Digest is null));
        Assert.Equal(3, opened.Count);
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)], opened.Zip(opened.Skip(1), (a, b) => b.OpenedAt - a.OpenedAt));
        foreach (var v in verdicts.Where(v => v.Digest is not null))
        {
            var digest = opened.Single(d => d.Id == v.Digest);
            Assert.True(v.Transition.At >= digest.OpenedAt && v.Transition.At < digest.DueAt, $"{v.Transition.At:O} outside {digest}");
        }
    }

    [Fact]
    public void A_transition_at_the_moment_its_digest_is_due_opens_the_next_one()
    {
        var open = new OpenDigest(NewId(), _clock.GetUtcNow(), _clock.GetUtcNow() + TwentyIn30Seconds.Window);
        var recorded = Enumerable.Range(1, 20).Select(i => Change(i)).ToList();
        _clock.Advance(TimeSpan.FromSeconds(29));
        var recent = Enumerable.Range(21, 20).Select(i => Change(i, TimeSpan.FromSeconds(1) / 20)).ToList(); // the clock ends at the due time

        var (verdicts, opened) = Judge([Change(41)], recorded: [.. recorded, .. recent], open: [open]);

        Assert.Equal(open.DueAt, verdicts[0].Transition.At);
        Assert.Equal(Assert.Single(opened).Id, verdicts[0].Digest);
        Assert.Equal(open.DueAt, opened[0].OpenedAt);
    }

    [Fact]
    public void A_transition_joins_the_open_digest_whose_window_holds_it()
    {
        var open = new OpenDigest(NewId(), _clock.GetUtcNow(), _clock.GetUtcNow() + TwentyIn30Seconds.Window);
        var recorded = Enumerable.Range(1, 20).Select(i => Change(i)).ToList();
        _clock.Advance(TimeSpan.FromSeconds(10));

        var (verdicts, opened) = Judge([Change(21)], recorded: recorded, open: [open]);

        Assert.Empty(opened);
        Assert.Equal(open.Id, verdicts[0].Digest);
    }

    [Fact]
    public void Once_the_storm_is_over_individual_notifications_resume()
    {
        var storm = Enumerable.Range(1, 50).Select(i => Change(i, TimeSpan.FromMilliseconds(10))).ToList();
        _clock.Advance(TimeSpan.FromSeconds(31));

        var (verdicts, opened) = Judge([Change(51)], recorded: storm);

        Assert.Null(Assert.Single(verdicts).Digest);
        Assert.Empty(opened);
    }

    [Fact]
    public void Storm_settings_bind_and_are_validated()
    {
        var options = new NotifierOptions();
        NotifierOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Notifier:Storm:Machines"] = "40", ["Notifier:Storm:Window"] = "1m",
        }).Build());
        Assert.Equal(new StormOptions(40, TimeSpan.FromMinutes(1)), options.Storm.Rule);
        Assert.Empty(options.Validate(new ValidationContext(options)));

        Assert.Equal(new StormOptions(20, TimeSpan.FromSeconds(30)), new NotifierOptions().Storm.Rule);
        Assert.Contains(Errors("Notifier:Storm:Machines", "0"), e => e.Contains("Notifier:Storm:Machines"));
        Assert.Contains(Errors("Notifier:Storm:Window", "500ms"), e => e.Contains("Notifier:Storm:Window"));
        Assert.Contains(Errors("Notifier:Storm:Window", "2h"), e => e.Contains("Notifier:Storm:Window"));
    }

    [Fact]
    public void The_dashboard_link_is_the_platforms_public_url_unless_the_notifier_has_its_own()
    {
        Assert.Equal("https://heartbeat.example.com/", Bind(new() { ["Ingest:PublicUrl"] = "https://heartbeat.example.com" }).DashboardUrl);
        Assert.Equal("https://dash.example.com/", Bind(new() { ["Ingest:PublicUrl"] = "https://heartbeat.example.com", ["Notifier:DashboardUrl"] = "https://dash.example.com/" }).DashboardUrl);
        Assert.Equal("http://localhost:8080/", Bind([]).DashboardUrl);
    }

    private static NotifierOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new NotifierOptions();
        NotifierOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return options;
    }

    private static IEnumerable<string> Errors(string key, string value)
    {
        var options = Bind(new() { [key] = value });
        return options.Validate(new ValidationContext(options)).Select(e => e.ErrorMessage!);
    }
}
