using PosGreenPoints.Contracts.Receipts;
using Xunit.Abstractions;

namespace PosGreenPoints.Tests.EndToEnd.Faults;

/// <summary>The app process killed (SIGKILL) while it scores, and a new one started on the same storage.</summary>
[Collection(FaultTests.Name)]
public sealed class RunnerCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Runner_killed_mid_batch_then_restarted_scores_every_acknowledged_receipt_once()
    {
        await using var scenario = await FaultScenario.StartAsync(output);
        // Takes the posts and answers the status reads, but never scores: what it reads holds still while no
        // scorer runs, right after the kill included.
        var api = await scenario.StartRunnerAsync(FaultScenario.ScoringDisabled);
        await scenario.SetUpAsync(api);
        var chainId = scenario.Chains[0];
        using var client = scenario.PosClient(api);
        var receipts = FaultScenario.Receipts(chainId, 400, FaultScenario.NewMembers(20), "crash");
        // Four batches of growing size: their scoring messages all wait when the scorer starts, which runs
        // them at once, and they finish one after the other.
        var batches = new[] { receipts.Take(20), receipts.Skip(20).Take(40), receipts.Skip(60).Take(80), receipts.Skip(140) }.Select(batch => batch.ToList()).ToList();
        var posted = await Task.WhenAll(batches.Select(batch => FaultScenario.PostAcknowledgedAsync(client, batch)));
        var receiptIds = posted.SelectMany(ids => ids).ToList();

        var scorer = await scenario.StartRunnerAsync();
        // The kill comes as soon as a first receipt is scored, watching the first receipt of each batch.
        var watched = posted.Select(ids => ids[0]).ToList();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while ((await FaultScenario.StatusesAsync(client, watched)).Values.All(status => status!.Status != ReceiptStatuses.Scored))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"scoring did not start{Environment.NewLine}{scenario.RunnerOutput()}");
        }

        await scorer.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        scenario.Log("scoring runner killed");
        var atKill = await FaultScenario.StatusesAsync(client, receiptIds);
        var scoredAtKill = atKill.Values.Where(status => status!.Status == ReceiptStatuses.Scored).ToDictionary(status => status!.ReceiptId, status => status!);
        var postedNotMarked = (await scenario.LedgerAsync(chainId)).Select(row => row.ReceiptId!).Distinct().Count(receiptId => !scoredAtKill.ContainsKey(receiptId));
        scenario.Log($"{scoredAtKill.Count} of {receiptIds.Count} receipts were scored at the kill (per batch: {string.Join(", ", posted.Select(ids => $"{ids.Count(scoredAtKill.ContainsKey)} of {ids.Count}"))}); {postedNotMarked} more had ledger rows but were not marked scored");
        Assert.True(scoredAtKill.Count > 0 && scoredAtKill.Count < receiptIds.Count,
            $"the kill did not land mid-batch: {scoredAtKill.Count} of {receiptIds.Count} receipts were scored");
        Assert.All(atKill.Values, status => Assert.Contains(status!.Status, new[] { ReceiptStatuses.Accepted, ReceiptStatuses.Scored }));

        // A new instance: the messages the dead one held come back when their invisibility runs out.
        await scenario.StartRunnerAsync();
        var scored = await scenario.WaitForScoredAsync(client, receiptIds, TimeSpan.FromSeconds(40));

        Assert.Contains(scored, receipt => receipt.ScoredAt > killedAt);
        foreach (var (receiptId, before) in scoredAtKill)
        {
            // Scored once: what was scored before the kill was not scored again after it.
            var after = scored.Single(receipt => receipt.ReceiptId == receiptId);
            Assert.Equal(before.Points, after.Points);
            Assert.Equal(before.ScoredAt, after.ScoredAt);
        }

        var ledger = await scenario.AssertBooksBalanceAsync(client, chainId, scored);
        await scenario.AssertSettlementEqualsLedgerAsync(chainId, ledger);
    }
}
