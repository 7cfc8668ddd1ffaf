using Heartbeat.Ingest.Machines;

namespace Heartbeat.Ingest.Tests;

public class MachineTokensTests
{
    [Fact]
    public void A_token_matches_its_own_hash_only()
    {
        var token = MachineTokens.NewToken();
        var hash = MachineTokens.Hash(token);

        Assert.True(MachineTokens.Matches(token, hash));
        Assert.False(MachineTokens.Matches(MachineTokens.NewToken(), hash));
        Assert.False(MachineTokens.Matches(null, hash));
        Assert.False(MachineTokens.Matches("", hash));
    }

    [Fact]
    public void The_stored_hash_does_not_contain_the_token()
    {
        var token = MachineTokens.NewToken();
        Assert.DoesNotContain(token, MachineTokens.Hash(token));
        Assert.Equal(64, MachineTokens.Hash(token).Length);
    }

    [Fact]
    public void Tokens_are_unique_and_long()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => MachineTokens.NewToken()).ToHashSet();
        Assert.Equal(1000, tokens.Count);
        Assert.All(tokens, t => Assert.True(t.Length >= 40));
    }
}
