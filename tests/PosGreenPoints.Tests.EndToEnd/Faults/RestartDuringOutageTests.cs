using System.Net;
using Xunit.Abstractions;

namespace PosGreenPoints.Tests.EndToEnd.Faults;

/// <summary>
/// The Functions host does not ride out a storage outage: about 35 s into it the host shuts down and the
/// platform starts it again, maybe more than once, while the local runner stays up (docs/local-runner.md,
/// "Differences from the Functions host"). So that nothing relies on an instance surviving an outage, this
/// restarts the runner in the middle of one: what it held in memory (the scoring in flight, caches, the
/// lists it loaded, the timer lock) is lost, and the books must balance all the same once storage returns.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class RestartDuringOutageTests(ITestOutputHelper output)
{
    private const string StorageUnavailable = "https://posgreenpoints.cn/problems/storage-unavailable";

    [Fact]
    public async Task A_runner_restarted_while_storage_is_down_loses_nothing_once_storage_returns()
    {
        await using var scenario = await FaultScenario.StartAsync(output, storageOnDisk: true);
        var first = await scenario.StartRunnerAsync();
        await scenario.SetUpAsync(first);
        var chainId = scenario.Chains[0];
        var receipts = FaultScenario.Receipts(chainId, 90, FaultScenario.NewMembers(9), "restart");
        var acknowledged = new List<string>();
        using (var client = scenario.PosClient(first))
        {
            foreach (var batch in receipts.Take(60).Chunk(20))
            {
                acknowledged.AddRange(await FaultScenario.PostAcknowledgedAsync(client, batch));
            }
        }

        scenario.Log($"{acknowledged.Count} receipts acknowledged; their scoring under way");

        await scenario.Azurite.StopAsync();
        scenario.Log("Azurite stopped");
        // The platform's restart of a host that shut down in the outage: the process goes at once.
        await first.KillAsync();
        var restarted = await scenario.StartRunnerAsync();
        using var till = scenario.PosClient(restarted);
        var during = await FaultScenario.TryPostBatchAsync(till, receipts.Skip(60).Take(15).ToList());
        scenario.Log($"the restarted instance answered during the outage: {during}");
        Assert.True(during.Status == HttpStatusCode.ServiceUnavailable && during.Body.Contains(StorageUnavailable, StringComparison.Ordinal), $"during the outage: {during}");

        await scenario.Azurite.StartAsync();
        scenario.Log("Azurite started again with its data");
        // The till posts again what was refused, and goes on.
        acknowledged.AddRange(await FaultScenario.PostAcknowledgedAsync(till, during.Receipts));
        acknowledged.AddRange(await FaultScenario.PostAcknowledgedAsync(till, receipts.Skip(75).ToList()));

        Assert.Equal(receipts.Count, acknowledged.Distinct().Count());
        var scored = await scenario.WaitForScoredAsync(till, acknowledged.Distinct().ToList(), TimeSpan.FromSeconds(60));
        await scenario.AssertBooksBalanceAsync(till, chainId, scored);
    }
}
