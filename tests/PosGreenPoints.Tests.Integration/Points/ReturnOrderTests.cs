using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Points;

/// <summary>
/// No order of posting, scoring or redelivery lets a sale keep points that a return of it should have
/// reversed (lists-and-rules.md, Returns): the return waits for its original for as long as the
/// original can still be posted, and reverses once it is scored.
/// </summary>
[Collection(SharedAzurite.Name)]
public sealed class ReturnOrderTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_return_posted_before_its_sale_waits_and_reverses_the_sale_once_it_is_posted_and_scored()
    {
        var chainId = SampleReceipts.NewChainId("late");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var memberId = ScoringHarness.NewMemberId();
        var saleJson = ScoringHarness.Sale(chainId, "LATE-SALE", memberId, 100.00m, await harness.GreenAndLowVocGtinAsync());
        var ret = (await harness.TakeInAsync(ScoringHarness.Return(saleJson, "LATE-RETURN")))[0];
        var processor = harness.Services.GetRequiredService<ScoringProcessor>();

        await processor.ProcessAsync(Message(ret.MessageId, ret.ReceiptId), CancellationToken.None);
        var waiting = await harness.ReceiptAsync(ret.ReceiptId);
        var sale = (await harness.TakeInAsync(saleJson))[0];
        await processor.ProcessAsync(Message(sale.MessageId, sale.ReceiptId), CancellationToken.None);
        await processor.ProcessAsync(Message(waiting.GetString("ScoringMessageId"), ret.ReceiptId), CancellationToken.None);

        Assert.Equal("accepted", waiting.GetString("Status"));
        Assert.Equal(["waiting-for-original"], JsonSerializer.Deserialize<string[]>(waiting.GetString("Notes"))!);
        Assert.Equal(150, (await harness.ReceiptAsync(sale.ReceiptId)).GetInt64("Points"));
        Assert.Equal(-150, (await harness.ReceiptAsync(ret.ReceiptId)).GetInt64("Points"));
        var balance = await harness.BalanceAsync(memberId);
        Assert.Equal(150, balance.Earned);
        Assert.Equal(150, balance.Reversed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_sale_and_its_return_in_one_batch_end_reversed_in_either_order(bool saleFirst)
    {
        var chainId = SampleReceipts.NewChainId("pair");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var memberId = ScoringHarness.NewMemberId();
        var saleJson = ScoringHarness.Sale(chainId, "PAIR-SALE", memberId, 40.00m, await harness.GreenAndLowVocGtinAsync());
        var returnJson = ScoringHarness.Return(saleJson, "PAIR-RETURN");
        var taken = await harness.TakeInAsync(saleFirst ? [saleJson, returnJson] : [returnJson, saleJson]);
        var (sale, ret) = saleFirst ? (taken[0], taken[1]) : (taken[1], taken[0]);
        var processor = harness.Services.GetRequiredService<ScoringProcessor>();

        Assert.Equal(sale.MessageId, ret.MessageId);
        await processor.ProcessAsync(Message(sale.MessageId, saleFirst ? [sale.ReceiptId, ret.ReceiptId] : [ret.ReceiptId, sale.ReceiptId]), CancellationToken.None);
        var handedOver = (await harness.ReceiptAsync(ret.ReceiptId)).GetString("ScoringMessageId");
        await processor.ProcessAsync(Message(handedOver, ret.ReceiptId), CancellationToken.None);

        Assert.Equal(60, (await harness.ReceiptAsync(sale.ReceiptId)).GetInt64("Points"));
        Assert.Equal(-60, (await harness.ReceiptAsync(ret.ReceiptId)).GetInt64("Points"));
        var balance = await harness.BalanceAsync(memberId);
        Assert.Equal(balance.Earned, balance.Reversed);
    }

    [Fact]
    public async Task A_return_whose_original_can_no_longer_be_posted_is_scored_with_0_and_original_not_found()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var chainId = SampleReceipts.NewChainId("gone");
        var harness = await ScoringHarness.StartAsync(azurite, chainId, clock);
        var saleJson = ScoringHarness.Sale(chainId, "GONE-SALE", ScoringHarness.NewMemberId(), 10.00m, await harness.GreenAndLowVocGtinAsync());
        var ret = (await harness.TakeInAsync(ScoringHarness.Return(saleJson, "GONE-RETURN")))[0];
        var processor = harness.Services.GetRequiredService<ScoringProcessor>();

        // 29 days on, a post of the sale would still be accepted (MaxAgeDays 30): the return waits on.
        clock.Advance(TimeSpan.FromDays(29));
        await processor.ProcessAsync(Message(ret.MessageId, ret.ReceiptId), CancellationToken.None);
        var stillWaiting = await harness.ReceiptAsync(ret.ReceiptId);
        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(2));
        await processor.ProcessAsync(Message(stillWaiting.GetString("ScoringMessageId"), ret.ReceiptId), CancellationToken.None);
        var final = await harness.ReceiptAsync(ret.ReceiptId);

        Assert.Equal("accepted", stillWaiting.GetString("Status"));
        Assert.Equal("scored", final.GetString("Status"));
        Assert.Equal(0, final.GetInt64("Points"));
        Assert.Contains("original-not-found", JsonSerializer.Deserialize<string[]>(final.GetString("Notes"))!);
    }

    [Fact]
    public async Task A_return_keeps_waiting_however_long_its_accepted_original_stays_unscored()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var chainId = SampleReceipts.NewChainId("slow");
        var harness = await ScoringHarness.StartAsync(azurite, chainId, clock);
        var memberId = ScoringHarness.NewMemberId();
        var saleJson = ScoringHarness.Sale(chainId, "SLOW-SALE", memberId, 10.00m, await harness.GreenAndLowVocGtinAsync());
        var sale = (await harness.TakeInAsync(saleJson))[0];
        var ret = (await harness.TakeInAsync(ScoringHarness.Return(saleJson, "SLOW-RETURN")))[0];
        var processor = harness.Services.GetRequiredService<ScoringProcessor>();

        // Twenty waits (more than five hours of back-off) while the sale sits in a backlog.
        var owner = ret.MessageId;
        for (var wait = 0; wait < 20; wait++)
        {
            await processor.ProcessAsync(Message(owner, ret.ReceiptId), CancellationToken.None);
            owner = (await harness.ReceiptAsync(ret.ReceiptId)).GetString("ScoringMessageId");
            clock.Advance(TimeSpan.FromMinutes(10));
        }

        await processor.ProcessAsync(Message(sale.MessageId, sale.ReceiptId), CancellationToken.None);
        await processor.ProcessAsync(Message(owner, ret.ReceiptId), CancellationToken.None);

        Assert.Equal(-15, (await harness.ReceiptAsync(ret.ReceiptId)).GetInt64("Points"));
        Assert.Equal(15, (await harness.BalanceAsync(memberId)).Reversed);
    }

    [Fact]
    public async Task A_return_of_another_product_at_a_higher_price_is_refused_at_posting_when_its_sale_is_stored()
    {
        var chainId = SampleReceipts.NewChainId("line");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var saleJson = ScoringHarness.Sale(chainId, "LINE-SALE", ScoringHarness.NewMemberId(), 10.00m, await harness.GreenAndLowVocGtinAsync());
        await harness.TakeInAsync(saleJson);
        var ret = harness.Validate(ScoringHarness.Return(saleJson, "LINE-RETURN", amount: 99999.99m, gtin: "6901234567892"));

        var errors = await harness.Services.GetRequiredService<ReturnChecks>().CheckAsync(ret, CancellationToken.None);

        Assert.NotNull(errors);
        Assert.Contains("lines[0].gtin", errors.Keys);
        Assert.Contains("lines[0].amount", errors.Keys);
    }

    [Fact]
    public async Task A_return_line_that_differs_from_its_original_settles_under_the_original_gtin_for_at_most_its_share()
    {
        var chainId = SampleReceipts.NewChainId("cut");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var saleJson = ScoringHarness.Sale(chainId, "CUT-SALE", ScoringHarness.NewMemberId(), 10.00m, gtin);

        // Posted before its sale, so nothing could be checked at posting.
        var ret = (await harness.TakeInAsync(ScoringHarness.Return(saleJson, "CUT-RETURN", amount: 99999.99m, gtin: "6901234567892")))[0];
        var sale = (await harness.TakeInAsync(saleJson))[0];
        await harness.ScoreAsync(sale);
        await harness.ScoreAsync(ret);
        var scored = await harness.ReceiptAsync(ret.ReceiptId);
        var posting = Assert.Single(await harness.PostingsAsync(ret.ReceiptId));

        Assert.Equal(-15, scored.GetInt64("Points"));
        Assert.Equal("-10.00", posting.GetString("QualifyingAmount"));
        Assert.Equal("0" + gtin, posting.GetString("Gtin"));
        var notes = JsonSerializer.Deserialize<string[]>(scored.GetString("Notes"))!;
        Assert.Contains("return-amount-cut", notes);
        Assert.Contains("return-line-mismatch", notes);
    }

    private static QueueMessage Message(string messageId, params string[] receiptIds) =>
        QueuesModelFactory.QueueMessage(messageId, "pop", BinaryData.FromObjectAsJson(new { receiptIds }), 1, insertedOn: DateTimeOffset.UtcNow);
}
