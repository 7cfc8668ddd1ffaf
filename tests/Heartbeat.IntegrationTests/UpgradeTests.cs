using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>A database written before today's read models: the machines in it keep working after an upgrade.</summary>
[Collection(PlatformCollection.Name)]
public class UpgradeTests(PlatformFixture platform)
{
    [Fact]
    public async Task Machines_registered_before_the_machine_documents_existed_keep_sending_after_the_upgrade()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 300);
        // As a database from before MachineState: the machine's stream is there, its document is not.
        await using (var forget = platform.Database.CreateCommand("delete from ingest.mt_doc_machinestate"))
            Assert.True(await forget.ExecuteNonQueryAsync() >= 1, "the machine documents were there to remove");

        await platform.RestartAsync(platform.Ingest);

        await platform.SendHeartbeatAsync(machine); // 2xx: the machine is known again, token and all
        await using var count = platform.Database.CreateCommand("select count(*) from ingest.mt_doc_machinestate where id = $1");
        count.Parameters.AddWithValue(machine.Id);
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }
}
