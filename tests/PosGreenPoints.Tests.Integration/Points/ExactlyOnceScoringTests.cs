using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Points;

/// <summary>lists-and-rules.md, "Exactly once": however often a message is delivered, however many scorers run, wherever a process dies.</summary>
[Collection(SharedAzurite.Name)]
public sealed class ExactlyOnceScoringTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_message_delivered_again_after_each_write_step_posts_exactly_once()
    {
        var chainId = SampleReceipts.NewChainId("crash");
        var crash = new CrashAfterWrites();
        var harness = await ScoringHarness.StartAsync(azurite, chainId, crash);
        var gtin = await harness.GreenAndLowVocGtinAsync();

        // A clean run counts the writes scoring makes; then the process dies after each of them in turn.
        var clean = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, "CLEAN", ScoringHarness.NewMemberId(), 100.00m, gtin)))[0];
        crash.Arm(int.MaxValue);
        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(clean));
        var writes = crash.Writes;
        crash.Disarm();
        Assert.InRange(writes, 4, 10);

        for (var allowed = 0; allowed < writes; allowed++)
        {
            var memberId = ScoringHarness.NewMemberId();
            var receipt = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, $"CRASH-{allowed}", memberId, 100.00m, gtin)))[0];

            crash.Arm(allowed);
            await Assert.ThrowsAnyAsync<Exception>(() => harness.ScoreAsync(receipt));
            crash.Disarm();
            var redelivered = await harness.ScoreAsync(receipt);
            var again = await harness.ScoreAsync(receipt);

            Assert.Equal(ScoringResult.Scored, redelivered);
            Assert.Equal(ScoringResult.AlreadyScored, again);
            var posting = Assert.Single(await harness.PostingsAsync(receipt.ReceiptId));
            Assert.Equal(150, posting.GetInt64("Points"));
            Assert.Equal("100.00", posting.GetString("QualifyingAmount"));
            var balance = await harness.BalanceAsync(memberId);
            Assert.Equal(150, balance.Earned);
            Assert.Equal(150, (await harness.ReceiptAsync(receipt.ReceiptId)).GetInt64("Points"));
        }
    }

    [Fact]
    public async Task A_batch_message_delivered_again_after_each_write_step_posts_each_receipt_exactly_once()
    {
        var chainId = SampleReceipts.NewChainId("crashbatch");
        var crash = new CrashAfterWrites();
        var harness = await ScoringHarness.StartAsync(azurite, chainId, crash);
        var gtin = await harness.GreenAndLowVocGtinAsync();

        // Three members with three receipts each and three receipts without a member, in one message.
        async Task<(List<(string ReceiptId, string MessageId)> Receipts, string[] Members)> TakeInBatchAsync(string prefix)
        {
            // Members in three distinct buckets every time: each bucket is a transaction of its own, so
            // random ids sharing a bucket in one batch and not in another made the write count differ
            // between the counting run and the crash runs, and a crash armed for the last write never came.
            var members = MembersInDistinctBuckets(3);
            var sales = Enumerable.Range(0, 12).Select(i => ScoringHarness.Sale(chainId, $"{prefix}-{i:D2}", i < 9 ? members[i % 3] : null, 100.00m, gtin)).ToArray();
            var taken = (await harness.TakeInAsync(sales)).ToList();
            Assert.Single(taken.Select(receipt => receipt.MessageId).Distinct());
            return (taken, members);
        }

        Task<BatchScoring> ScoreBatchAsync(List<(string ReceiptId, string MessageId)> receipts) =>
            harness.Scorer.ScoreAsync(receipts.Select(receipt => receipt.ReceiptId).ToList(), receipts[0].MessageId, DateTimeOffset.UtcNow, CancellationToken.None);

        var (clean, _) = await TakeInBatchAsync("CLEAN");
        crash.Arm(int.MaxValue);
        Assert.Empty((await ScoreBatchAsync(clean)).Failures);
        var writes = crash.Writes;
        crash.Disarm();

        // A batch is written a step at a time, a transaction or a few per step, but the local event queue
        // takes one message per receipt: 5 steps of storage writes plus 12 events.
        Assert.InRange(writes, 12 + 5, 12 + 10);
        for (var allowed = 0; allowed < writes; allowed++)
        {
            var (receipts, members) = await TakeInBatchAsync($"CRASH-{allowed}");
            crash.Arm(allowed);
            Assert.NotEmpty((await ScoreBatchAsync(receipts)).Failures);
            crash.Disarm();
            var redelivered = await ScoreBatchAsync(receipts);
            var again = await ScoreBatchAsync(receipts);

            Assert.Empty(redelivered.Failures);
            Assert.All(receipts, receipt => Assert.Contains(redelivered.Results[receipt.ReceiptId], new[] { ScoringResult.Scored, ScoringResult.AlreadyScored }));
            Assert.All(receipts, receipt => Assert.Equal(ScoringResult.AlreadyScored, again.Results[receipt.ReceiptId]));
            foreach (var receipt in receipts)
            {
                var posting = Assert.Single(await harness.PostingsAsync(receipt.ReceiptId));
                Assert.Equal(150, posting.GetInt64("Points"));
                Assert.Equal(150, (await harness.ReceiptAsync(receipt.ReceiptId)).GetInt64("Points"));
            }

            foreach (var memberId in members)
            {
                Assert.Equal(450, (await harness.BalanceAsync(memberId)).Earned);
            }
        }
    }

    [Fact]
    public async Task Two_scorers_racing_on_one_receipt_post_it_once()
    {
        var chainId = SampleReceipts.NewChainId("race");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();

        for (var round = 0; round < 5; round++)
        {
            var memberId = ScoringHarness.NewMemberId();
            var receipt = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, $"RACE-{round}", memberId, 200.00m, gtin)))[0];
            using var start = new ManualResetEventSlim();
            var scorers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await harness.ScoreAsync(receipt);
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(scorers);

            Assert.Contains(ScoringResult.Scored, results);
            Assert.Equal(300, Assert.Single(await harness.PostingsAsync(receipt.ReceiptId)).GetInt64("Points"));
            Assert.Equal(300, (await harness.BalanceAsync(memberId)).Earned);
        }
    }

    [Fact]
    public async Task Fifty_receipts_of_one_member_scored_at_once_hold_the_daily_cap_exactly()
    {
        var chainId = SampleReceipts.NewChainId("cap");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var memberId = ScoringHarness.NewMemberId();
        var receipts = await harness.TakeInAsync([.. Enumerable.Range(0, 50).Select(number => ScoringHarness.Sale(chainId, $"CAP-{number:D2}", memberId, 1000.00m, gtin))]);

        // Every receipt on its own scorer, as on many instances; a scorer that fails is delivered again.
        await Task.WhenAll(receipts.Select(receipt => Task.Run(async () =>
        {
            for (var delivery = 1; ; delivery++)
            {
                try
                {
                    await harness.ScoreAsync(receipt);
                    return;
                }
                catch (Exception) when (delivery < 5)
                {
                }
            }
        })));

        var points = new List<long>();
        foreach (var receipt in receipts)
        {
            points.AddRange((await harness.PostingsAsync(receipt.ReceiptId)).Select(posting => posting.GetInt64("Points")!.Value));
        }

        Assert.Equal(20000, points.Sum());
        Assert.Equal(20000, (await harness.BalanceAsync(memberId)).Earned);
        Assert.Equal(50, points.Count);
        Assert.Equal(13, points.Count(value => value == 1500));
        Assert.Single(points, value => value == 500);
    }

    [Fact]
    public async Task Fifty_receipts_of_one_member_in_one_message_hold_the_daily_cap_exactly_in_receipt_order()
    {
        var chainId = SampleReceipts.NewChainId("capbatch");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var memberId = ScoringHarness.NewMemberId();
        var receipts = await harness.TakeInAsync([.. Enumerable.Range(0, 50).Select(number => ScoringHarness.Sale(chainId, $"CAPB-{number:D2}", memberId, 1000.00m, gtin))]);

        var scored = await harness.Scorer.ScoreAsync(receipts.Select(receipt => receipt.ReceiptId).ToList(), receipts[0].MessageId, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Empty(scored.Failures);
        var points = new List<long>();
        foreach (var receipt in receipts.OrderBy(receipt => receipt.ReceiptId, StringComparer.Ordinal))
        {
            points.Add(Assert.Single(await harness.PostingsAsync(receipt.ReceiptId)).GetInt64("Points")!.Value);
        }

        // One batch plans its receipts in id order: the first 13 earn 1500, the 14th the 500 left, the rest 0.
        Assert.Equal([.. Enumerable.Repeat(1500L, 13), 500L, .. Enumerable.Repeat(0L, 36)], points);
        Assert.Equal(20000, (await harness.BalanceAsync(memberId)).Earned);
    }

    [Fact]
    public async Task A_list_published_while_receipts_are_scored_leaves_each_receipt_on_one_version()
    {
        var chainId = SampleReceipts.NewChainId("ver");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var receipts = await harness.TakeInAsync([.. Enumerable.Range(0, 30).Select(number => ScoringHarness.Sale(chainId, $"VER-{number:D2}", null, 100.00m, gtin))]);
        var original = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.SampleData, "certified-green.csv"));

        var scoring = Task.WhenAll(receipts.Select(receipt => Task.Run(() => harness.ScoreAsync(receipt))));
        for (var version = 0; version < 3; version++)
        {
            // A new version with the same rows: blank lines at the end are skipped, so the bytes (and the
            // version id) are new and the rows the same. Reordering the file's lines would split the
            // sample names that hold a quoted line break, and the list would be refused.
            var again = original + new string('\n', version + 1);
            Assert.IsType<PublishOutcome.Published>(await harness.PublishAsync("certified-green", System.Text.Encoding.UTF8.GetBytes(again)));
        }

        await scoring;
        foreach (var receipt in receipts)
        {
            var entity = await harness.ReceiptAsync(receipt.ReceiptId);
            var line = Assert.Single(ScoringHarness.View(entity)!.Lines!);
            var posting = Assert.Single(await harness.PostingsAsync(receipt.ReceiptId));
            Assert.Equal(string.Join(';', line.Matches.Select(match => match.ListVersion)), posting.GetString("ListVersions"));
            Assert.Equal(150, posting.GetInt64("Points"));
        }
    }

    [Fact]
    public async Task A_receipt_that_fails_on_the_last_delivery_is_marked_failed_with_the_reason()
    {
        var chainId = SampleReceipts.NewChainId("poison");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var receipt = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, "POISON", null, 10.00m, gtin)))[0];
        var entity = await harness.ReceiptAsync(receipt.ReceiptId);
        entity["Body"] = "not a receipt";
        await azurite.Tables.GetTableClient("Receipts").UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Merge);
        var processor = harness.Services.GetRequiredService<ScoringProcessor>();
        var maxDeliveries = harness.Services.GetRequiredService<HostQueueSettings>().MaxDequeueCount;
        var body = BinaryData.FromObjectAsJson(new { receiptIds = new[] { receipt.ReceiptId } });

        await Assert.ThrowsAnyAsync<Exception>(() => processor.ProcessAsync(Message(receipt.MessageId, body, dequeueCount: 1), CancellationToken.None));
        var afterFirst = await harness.ReceiptAsync(receipt.ReceiptId);
        await Assert.ThrowsAnyAsync<Exception>(() => processor.ProcessAsync(Message(receipt.MessageId, body, dequeueCount: maxDeliveries), CancellationToken.None));
        var afterLast = await harness.ReceiptAsync(receipt.ReceiptId);

        Assert.Equal("accepted", afterFirst.GetString("Status"));
        Assert.Contains("FormatException", afterFirst.GetString("LastFailure"));
        Assert.Equal("failed", afterLast.GetString("Status"));
        Assert.Contains("scoring-failed", afterLast.GetString("Notes"));
        Assert.Empty(await harness.PostingsAsync(receipt.ReceiptId));
    }

    private static QueueMessage Message(string messageId, BinaryData body, long dequeueCount) =>
        QueuesModelFactory.QueueMessage(messageId, "pop", body, dequeueCount, insertedOn: DateTimeOffset.UtcNow);

    private static string[] MembersInDistinctBuckets(int count)
    {
        var byBucket = new Dictionary<string, string>(StringComparer.Ordinal);
        while (byBucket.Count < count)
        {
            var memberId = ScoringHarness.NewMemberId();
            byBucket.TryAdd(MemberBuckets.Default.PartitionKeyOf(memberId), memberId);
        }

        return [.. byBucket.Values];
    }
}
