using Heartbeat.Notifier.Quiet;

namespace Heartbeat.Notifier.Tests.Quiet;

public class QuietRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly MachineFacts Switch = new(Guid.NewGuid(), "switch-3", ["net"]);
    private static readonly MachineFacts Rack = new(Guid.NewGuid(), "rack-7", ["net"], DependsOn: Switch.Id);
    private static readonly MachineFacts Web = new(Guid.NewGuid(), "web-1", ["web"], DependsOn: Rack.Id);

    private static QuietContext Context(bool flapping = false, IReadOnlyList<MaintenanceWindow>? windows = null, params Guid[] offline)
    {
        var machines = new[] { Switch, Rack, Web }.ToDictionary(m => m.Id);
        return new QuietContext(Now, windows ?? [], id => machines.GetValueOrDefault(id), offline.Contains, flapping);
    }

    [Fact]
    public void An_ordinary_outage_is_sent() =>
        Assert.True(QuietRules.Decide(NotificationEvents.Offline, Web, ChannelRoute.Default, Context()).Send);

    [Fact]
    public void A_paused_machine_notifies_nobody() =>
        Assert.Equal(SuppressionReasons.Paused, QuietRules.Decide(NotificationEvents.Offline, Web with { Paused = true }, ChannelRoute.Default, Context()).Reason);

    [Fact]
    public void A_channel_that_did_not_ask_is_not_told() =>
        Assert.Equal(SuppressionReasons.Preference,
            QuietRules.Decide(NotificationEvents.Offline, Web, new ChannelRoute(new MachineSelector(Tags: ["db"]), NotificationEvents.Default), Context()).Reason);

    [Fact]
    public void An_outage_in_a_maintenance_window_is_recorded_not_told()
    {
        var window = new MaintenanceWindow(Guid.NewGuid(), new MachineSelector(Ids: [Web.Id]), Now.AddHours(-1), Now.AddHours(1));
        var decision = QuietRules.Decide(NotificationEvents.Offline, Web, ChannelRoute.Default, Context(windows: [window]));
        Assert.Equal(SuppressionReasons.Maintenance, decision.Reason);
        Assert.Contains(window.Id.ToString(), decision.Detail);
    }

    [Fact]
    public void An_outage_behind_an_offline_grandparent_is_told_in_the_grandparents_notification()
    {
        var decision = QuietRules.Decide(NotificationEvents.Offline, Web, ChannelRoute.Default, Context(offline: Switch.Id));
        Assert.Equal(SuppressionReasons.Dependency, decision.Reason);
        Assert.Contains("switch-3", decision.Detail);
    }

    [Fact]
    public void A_recovery_behind_an_offline_parent_is_still_told() =>
        Assert.True(QuietRules.Decide(NotificationEvents.Online, Web, ChannelRoute.Default, Context(offline: Rack.Id)).Send);

    [Fact]
    public void A_dependency_cycle_does_not_hang()
    {
        var a = new MachineFacts(Guid.NewGuid(), "a", []);
        var b = new MachineFacts(Guid.NewGuid(), "b", [], DependsOn: a.Id);
        a = a with { DependsOn = b.Id };
        var machines = new[] { a, b }.ToDictionary(m => m.Id);
        Assert.Null(Dependencies.OfflineAncestor(a, id => machines.GetValueOrDefault(id), _ => false));
    }

    [Fact]
    public void Flapping_is_the_last_rule_per_machine()
    {
        Assert.Equal(SuppressionReasons.Flapping, QuietRules.Decide(NotificationEvents.Offline, Web, ChannelRoute.Default, Context(flapping: true)).Reason);
        Assert.True(QuietRules.Decide(NotificationEvents.Offline, Web, ChannelRoute.Default, Context()).Send);
    }
}
