[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Heartbeat.Faults.Harness;

/// <summary>One platform with two detectors for the faults that leave it whole afterwards; each test repairs what it broke.</summary>
public sealed class FaultFixture : IAsyncLifetime
{
    public FaultPlatform Platform { get; } = FaultPlatform.FromEnvironment(detectorCount: 2);

    public Task InitializeAsync() => Platform.StartAsync();

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "faults";
}
