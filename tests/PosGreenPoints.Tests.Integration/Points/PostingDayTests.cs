using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Points;

/// <summary>
/// settlement.md: a published settlement day never changes. Scoring guarantees it by construction: a
/// decision whose day ended (plus half the settlement grace) before its postings were written posts
/// on the day they are written instead, and settlement waits for the full grace.
/// </summary>
[Collection(SharedAzurite.Name)]
public sealed class PostingDayTests(AzuriteFixture azurite)
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task A_decision_that_outlived_its_day_posts_on_the_day_it_is_written_never_on_a_settled_one()
    {
        var chainId = SampleReceipts.NewChainId("late");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var crash = new CrashAfterWrites();
        var harness = await ScoringHarness.StartAsync(azurite, chainId, clock, crash);
        var receipt = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, "LATE-1", ScoringHarness.NewMemberId(), 100.00m, await harness.GreenAndLowVocGtinAsync())))[0];
        var decidedOn = Today(clock);

        // The scorer decides, then dies before posting; the message comes back two days later (poison replay).
        crash.Arm(1);
        await Assert.ThrowsAnyAsync<Exception>(() => harness.ScoreAsync(receipt));
        crash.Disarm();
        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(receipt));

        var posting = Assert.Single(await harness.PostingsAsync(receipt.ReceiptId));
        Assert.Equal(Today(clock).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), posting.GetString("PostingDate"));
        Assert.NotEqual(decidedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), posting.GetString("PostingDate"));
    }

    [Fact]
    public async Task A_decision_written_within_its_day_keeps_its_posting_day()
    {
        var chainId = SampleReceipts.NewChainId("keep");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var crash = new CrashAfterWrites();
        var harness = await ScoringHarness.StartAsync(azurite, chainId, clock, crash);
        var receipt = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, "KEEP-1", null, 100.00m, await harness.GreenAndLowVocGtinAsync())))[0];
        var decidedOn = Today(clock);

        crash.Arm(1);
        await Assert.ThrowsAnyAsync<Exception>(() => harness.ScoreAsync(receipt));
        crash.Disarm();
        clock.Advance(TimeSpan.FromSeconds(30));
        await harness.ScoreAsync(receipt);

        Assert.Equal(decidedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Assert.Single(await harness.PostingsAsync(receipt.ReceiptId)).GetString("PostingDate"));
    }

    private static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Shanghai).DateTime);
}
