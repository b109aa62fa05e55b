using System.Text.RegularExpressions;
using PosGreenPoints.Contracts.Receipts;
using Xunit.Abstractions;

namespace PosGreenPoints.Tests.EndToEnd.Faults;

/// <summary>
/// Two instances of the app on one storage account, as a Function App scaled out on a backlog: both
/// score from the one queue, and take posts while they do, with many receipts for few members so that
/// the member daily cap is decided by racing scorers.
/// </summary>
[Collection(FaultTests.Name)]
public sealed partial class TwoInstanceScoringTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_runners_scoring_one_flood_score_each_receipt_once_and_never_exceed_the_member_daily_cap()
    {
        await using var scenario = await FaultScenario.StartAsync(output);
        // Takes the first posts without scoring them, so that both scorers start on the same backlog.
        var api = await scenario.StartRunnerAsync(FaultScenario.ScoringDisabled);
        await scenario.SetUpAsync(api);
        var chainId = scenario.Chains[0];
        // 300 receipts of about 800 points for 6 members: about 40,000 points each, twice the daily cap.
        var receipts = FaultScenario.Receipts(chainId, 300, FaultScenario.NewMembers(6), "flood", pointsPerReceipt: 800);
        var batches = receipts.Chunk(8).ToList();
        using var apiClient = scenario.PosClient(api);
        var acknowledged = new List<string>[batches.Count];
        const int Backlog = 32;
        await Parallel.ForEachAsync(Enumerable.Range(0, Backlog), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (index, _) =>
            acknowledged[index] = [.. await FaultScenario.PostAcknowledgedAsync(apiClient, batches[index])]);
        scenario.Log($"{Backlog} batches waiting to be scored");

        // Both scorers start at once on 32 messages, more than one runner takes (batchSize 16, and 16 more
        // once no more than newBatchThreshold 8 run), and take the rest of the flood as posts while they score.
        var runners = await Task.WhenAll(scenario.StartRunnerAsync(), scenario.StartRunnerAsync());
        using var first = scenario.PosClient(runners[0]);
        using var second = scenario.PosClient(runners[1]);
        await Parallel.ForEachAsync(Enumerable.Range(Backlog, batches.Count - Backlog), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (index, _) =>
            acknowledged[index] = [.. await FaultScenario.PostAcknowledgedAsync(index % 2 == 0 ? first : second, batches[index])]);
        scenario.Log($"{receipts.Count} receipts posted in {batches.Count} batches");
        var receiptIds = acknowledged.SelectMany(ids => ids).ToList();
        var scored = await scenario.WaitForScoredAsync(apiClient, receiptIds, TimeSpan.FromSeconds(45));

        var runs = runners.Select(runner => ScoringRun().Count(runner.Output)).ToList();
        scenario.Log($"scoring messages completed per runner: {string.Join(", ", runs)}");
        Assert.True(runs.All(count => count > 0), $"a runner scored nothing, so nothing raced{Environment.NewLine}{scenario.RunnerOutput()}");

        await scenario.AssertBooksBalanceAsync(apiClient, chainId, scored);
        var uncapped = receipts.ToDictionary(receipt => (string)receipt["receiptNumber"]!, FaultScenario.UncappedPoints);
        foreach (var memberDay in scored.GroupBy(receipt => (receipt.MemberId, receipt.BusinessDate)))
        {
            var wanted = memberDay.Sum(receipt => uncapped[receipt.ReceiptNumber]);
            var earned = memberDay.Sum(receipt => receipt.Points!.Value);
            Assert.True(wanted > FaultScenario.MemberDailyCap, $"member {memberDay.Key.MemberId} wanted only {wanted}: the cap was not tested");
            // The receipt that crosses the cap is cut down: the member ends exactly at the cap, whatever the order.
            Assert.True(earned == FaultScenario.MemberDailyCap, $"member {memberDay.Key.MemberId} earned {earned} on {memberDay.Key.BusinessDate}, the cap is {FaultScenario.MemberDailyCap}");
            Assert.All(memberDay, receipt => Assert.InRange(receipt.Points!.Value, 0, uncapped[receipt.ReceiptNumber]));
            Assert.All(memberDay.Where(receipt => receipt.Points < uncapped[receipt.ReceiptNumber]), receipt => Assert.Contains("member-daily-cap-applied", receipt.Notes));
            Assert.True(memberDay.Count(receipt => receipt.Points > 0 && receipt.Points < uncapped[receipt.ReceiptNumber]) <= 1,
                $"member {memberDay.Key.MemberId}: more than one receipt was cut down by the cap");
        }

        Assert.Equal(receipts.Count, scored.Select(receipt => receipt.ReceiptId).Distinct().Count());
        Assert.All(scored, receipt => Assert.Equal(ReceiptStatuses.Scored, receipt.Status));
    }

    [GeneratedRegex(@"Executed 'ScoreReceipts' \(Succeeded")]
    private static partial Regex ScoringRun();
}
