using Heartbeat.ServiceDefaults.Machines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Heartbeat.Detector.Tests.Status;

/// <summary>
/// The one flapping rule, as the notifier steps it transition by transition and the detector folds a machine's history
/// for GET /api/machines/{id}: more than 5 transitions within 30 minutes begins an episode, a whole window without one ends it.
/// </summary>
public class FlappingRuleTests
{
    private static readonly FlappingOptions FiveIn30Minutes = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly List<DateTimeOffset> _transitions = [];

    /// <summary>A transition now, then the clock moves on.</summary>
    private void Transition(TimeSpan thenWait)
    {
        _transitions.Add(_clock.GetUtcNow());
        _clock.Advance(thenWait);
    }

    private bool InEpisode => Flapping.InEpisode(_transitions, _clock.GetUtcNow(), FiveIn30Minutes);

    [Fact]
    public void The_sixth_transition_within_the_window_begins_an_episode_the_fifth_does_not()
    {
        for (var i = 0; i < 5; i++) Transition(TimeSpan.FromMinutes(5));
        Assert.False(InEpisode); // five, the first 25 min ago

        Transition(TimeSpan.Zero);
        Assert.True(InEpisode);
    }

    [Fact]
    public void Six_spread_just_wider_than_the_window_are_not_flapping()
    {
        for (var i = 0; i < 6; i++) Transition(TimeSpan.FromMinutes(6)); // the first is 30 min before the sixth: outside
        Assert.False(InEpisode);
    }

    [Fact]
    public void An_episode_lasts_while_transitions_keep_coming_even_below_the_threshold_and_ends_a_whole_window_after_the_last()
    {
        for (var i = 0; i < 6; i++) Transition(TimeSpan.FromMinutes(1));
        // One transition every 20 minutes is never more than five in a window, but the machine never holds still for one.
        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(19));
            Transition(TimeSpan.Zero);
            Assert.True(InEpisode);
        }

        _clock.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(1));
        Assert.True(InEpisode);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(InEpisode); // stable again: one state held for exactly the window
    }

    [Fact]
    public void The_notifiers_step_with_its_stored_episode_agrees_with_the_fold()
    {
        DateTimeOffset? open = null;
        var seen = new List<DateTimeOffset>();
        foreach (var wait in new[] { 1, 1, 1, 1, 1, 1, 20, 29, 31, 1, 1 }.Select(m => TimeSpan.FromMinutes(m)))
        {
            var at = _clock.GetUtcNow();
            seen.Add(at);
            open = Flapping.Step(open, seen, at, FiveIn30Minutes) ? at : null;
            Transition(TimeSpan.Zero);
            Assert.Equal(Flapping.InEpisode(_transitions, at, FiveIn30Minutes), open is not null);
            _clock.Advance(wait);
        }
    }

    [Fact]
    public void The_rule_is_configured_once_for_the_platform_and_nonsense_fails_naming_the_setting()
    {
        static FlappingOptions Read(params (string Key, string Value)[] settings) => FlappingOptions.Read(
            new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build());

        Assert.Equal((5, TimeSpan.FromMinutes(30)), (Read().Transitions, Read().Window));
        var custom = Read(("Heartbeat:Flapping:Transitions", "3"), ("Heartbeat:Flapping:Window", "20s"));
        Assert.Equal((3, TimeSpan.FromSeconds(20)), (custom.Transitions, custom.Window));
        Assert.Contains("Heartbeat:Flapping:Transitions", Assert.Throws<InvalidOperationException>(() => Read(("Heartbeat:Flapping:Transitions", "0"))).Message);
        Assert.Contains("Heartbeat:Flapping:Window", Assert.Throws<InvalidOperationException>(() => Read(("Heartbeat:Flapping:Window", "soon"))).Message);
    }
}
