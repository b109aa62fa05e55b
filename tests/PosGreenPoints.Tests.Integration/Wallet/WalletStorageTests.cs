using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Integration.Points;

namespace PosGreenPoints.Tests.Integration.Wallet;

/// <summary>
/// The wallet against Azurite: lots written with the award, reversals and expiry applied exactly once
/// whatever crashes or races, and both equalities of wallet.md at every read. Sales here earn 150 points
/// (100.00 of a product on both sample lists) and are pending 7 days; they expire at the end of the 24th
/// month after the month of the award, in Asia/Shanghai.
/// </summary>
[Collection(SharedAzurite.Name)]
public sealed class WalletStorageTests(AzuriteFixture azurite)
{
    private static readonly Caller Operator = new("tests", Role.Operator, new HashSet<string>());

    [Fact]
    public async Task A_sale_is_one_pending_lot_of_its_chain_and_its_return_takes_from_that_lot()
    {
        var chainId = SampleReceipts.NewChainId("wallet");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var memberId = ScoringHarness.NewMemberId();
        var sale = ScoringHarness.Sale(chainId, "W-SALE", memberId, 100.00m, gtin);
        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync((await harness.TakeInAsync(sale))[0]));

        var lots = (await Reads(harness).LotsAsync(memberId, Operator, CancellationToken.None))!;
        var lot = Assert.Single(lots.Lots);
        Assert.Equal((chainId, 150L, 150L, "pending"), (lot.IssuerChainId, lot.Points, lot.Remaining, lot.Status));
        Assert.Equal(lot.EarnedAt.AddDays(7), lot.AvailableAt);
        var earnedLocal = TimeZoneInfo.ConvertTime(lot.EarnedAt, Shanghai);
        var expiresLocal = TimeZoneInfo.ConvertTime(lot.ExpiresAt, Shanghai);
        Assert.Equal((new DateTime(earnedLocal.Year, earnedLocal.Month, 1).AddMonths(25), TimeSpan.Zero), (expiresLocal.DateTime, expiresLocal.TimeOfDay));

        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync((await harness.TakeInAsync(ScoringHarness.Return(sale, "W-RETURN")))[0]));
        var balance = await AssertConsistentAsync(harness, memberId);
        Assert.Equal((0L, 150L, 150L, 0L, 0L), (balance.Balance, balance.Earned, balance.Reversed, balance.Pending, balance.Debt));
        Assert.Empty((await Reads(harness).LotsAsync(memberId, Operator, CancellationToken.None))!.Lots);
    }

    [Fact]
    public async Task A_return_of_a_sale_whose_points_another_return_took_leaves_debt_that_the_next_award_repays()
    {
        var chainId = SampleReceipts.NewChainId("debt");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var memberId = ScoringHarness.NewMemberId();
        var small = ScoringHarness.Sale(chainId, "D-SMALL", memberId, 10.00m, gtin);
        var big = ScoringHarness.Sale(chainId, "D-BIG", memberId, 100.00m, gtin);
        foreach (var receipt in await harness.TakeInAsync(small, big))
        {
            Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(receipt));
        }

        // The member has 15 + 150; returning the big sale takes its own 150, and nothing is owed.
        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync((await harness.TakeInAsync(ScoringHarness.Return(big, "D-RET-BIG")))[0]));
        Assert.Equal((15L, 0L), Pick(await AssertConsistentAsync(harness, memberId)));

        // Lots are taken by a reversal only while they have points: a second member's wallet shows debt.
        var other = ScoringHarness.NewMemberId();
        var sale = ScoringHarness.Sale(chainId, "D-OTHER", other, 100.00m, gtin);
        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync((await harness.TakeInAsync(sale))[0]));
        var store = harness.Services.GetRequiredService<MemberStore>();
        await store.PostAsync([new MemberPosting(other, $"{chainId}~SH-0001~20260101~POS-01~MANUAL", chainId, null, new DateOnly(2026, 1, 1), new ScoringDecision(new DateOnly(2026, 1, 1), DateTimeOffset.UtcNow, "manual", other, [], []), _ => new Dictionary<int, long> { [1] = -200 })], CancellationToken.None);
        var inDebt = await AssertConsistentAsync(harness, other);
        Assert.Equal((-50L, 50L, 0L, 0L), (inDebt.Balance, inDebt.Debt, inDebt.Available, inDebt.Pending));

        var repaying = ScoringHarness.Sale(chainId, "D-REPAY", other, 100.00m, gtin);
        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync((await harness.TakeInAsync(repaying))[0]));
        var repaid = await AssertConsistentAsync(harness, other);
        Assert.Equal((100L, 0L, 100L), (repaid.Balance, repaid.Debt, repaid.Pending));
        var lot = Assert.Single((await Reads(harness).LotsAsync(other, Operator, CancellationToken.None))!.Lots);
        Assert.Equal((150L, 100L), (lot.Points, lot.Remaining));
        Assert.Contains((await StatementAsync(harness, other)), entry => entry.Kind == StatementKinds.DebtRepayment && entry.Points == 0);
    }

    [Fact]
    public async Task A_process_dying_after_each_write_of_an_award_and_of_its_reversal_posts_each_once()
    {
        var chainId = SampleReceipts.NewChainId("wcrash");
        var crash = new CrashAfterWrites();
        var harness = await ScoringHarness.StartAsync(azurite, chainId, crash);
        var gtin = await harness.GreenAndLowVocGtinAsync();

        var clean = ScoringHarness.Sale(chainId, "C-CLEAN", ScoringHarness.NewMemberId(), 100.00m, gtin);
        var cleanIds = await harness.TakeInAsync(clean, ScoringHarness.Return(clean, "C-CLEAN-R"));
        crash.Arm(int.MaxValue);
        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(cleanIds[0]));
        var saleWrites = crash.Writes;
        crash.Arm(int.MaxValue);
        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(cleanIds[1]));
        var returnWrites = crash.Writes;
        crash.Disarm();

        for (var allowed = 0; allowed < Math.Max(saleWrites, returnWrites); allowed++)
        {
            var memberId = ScoringHarness.NewMemberId();
            var sale = ScoringHarness.Sale(chainId, $"C-{allowed}", memberId, 100.00m, gtin);
            var ids = await harness.TakeInAsync(sale, ScoringHarness.Return(sale, $"C-{allowed}-R"));
            foreach (var receipt in ids)
            {
                crash.Arm(allowed);
                try
                {
                    await harness.ScoreAsync(receipt);
                }
                catch (SimulatedCrashException)
                {
                    // The process died; the message is delivered again.
                }
                catch (AggregateException failure) when (failure.InnerExceptions.All(inner => inner is SimulatedCrashException))
                {
                }

                crash.Disarm();
                Assert.Contains(await harness.ScoreAsync(receipt), new[] { ScoringResult.Scored, ScoringResult.AlreadyScored });
                Assert.Equal(ScoringResult.AlreadyScored, await harness.ScoreAsync(receipt));
            }

            var balance = await AssertConsistentAsync(harness, memberId);
            Assert.Equal((0L, 150L, 150L), (balance.Balance, balance.Earned, balance.Reversed));
            var statement = await StatementAsync(harness, memberId);
            Assert.Equal(new[] { StatementKinds.Reversal, StatementKinds.Award }, statement.Select(entry => entry.Kind));
        }
    }

    [Fact]
    public async Task Expiry_dying_after_each_write_and_run_again_expires_each_lot_once_with_one_event_id()
    {
        var chainId = SampleReceipts.NewChainId("expcrash");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var crash = new CrashAfterWrites();
        var harness = await ScoringHarness.StartAsync(azurite, chainId, clock, crash);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var expiry = harness.Services.GetRequiredService<WalletExpiry>();

        var members = Enumerable.Range(0, 3).Select(_ => ScoringHarness.NewMemberId()).ToList();
        foreach (var (memberId, index) in members.Select((memberId, index) => (memberId, index)))
        {
            Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync((await harness.TakeInAsync(ScoringHarness.Sale(chainId, $"E-{index}", memberId, 100.00m, gtin)))[0]));
        }

        // Past the expiry, every lot counts as expired before the timer has run.
        clock.Advance(TimeSpan.FromDays(800));
        foreach (var memberId in members)
        {
            var lazy = await AssertConsistentAsync(harness, memberId);
            Assert.Equal((0L, 150L, 0L), (lazy.Balance, lazy.Expired, lazy.Available));
        }

        for (var allowed = 0; ; allowed++)
        {
            crash.Arm(allowed);
            var died = false;
            try
            {
                await expiry.RunAsync(WalletDue.Expiry, CancellationToken.None);
            }
            catch (Exception failure) when (failure is SimulatedCrashException or AggregateException)
            {
                died = true;
            }

            crash.Disarm();
            if (!died)
            {
                break;
            }
        }

        await expiry.RunAsync(WalletDue.Expiry, CancellationToken.None);
        var events = await WalletChecks.ExpiryEventsAsync(azurite, members);
        Assert.Equal(members.Order(StringComparer.Ordinal), events.Select(e => e.MemberId).Distinct().Order(StringComparer.Ordinal));
        Assert.All(events, e => Assert.Equal(150, e.Points));
        foreach (var memberId in members)
        {
            var balance = await AssertConsistentAsync(harness, memberId);
            Assert.Equal((0L, 150L), (balance.Balance, balance.Expired));
            var expiryEntry = Assert.Single(await StatementAsync(harness, memberId), entry => entry.Kind == StatementKinds.Expiry);
            Assert.Equal(-150, expiryEntry.Points);
        }
    }

    [Fact]
    public async Task Expiry_whose_transaction_answers_were_lost_counts_each_lot_it_expired_once()
    {
        var chainId = SampleReceipts.NewChainId("explost");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lost = new LostTransactionAnswers();
        var harness = await ScoringHarness.StartAsync(azurite, chainId, clock, lost);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var members = Enumerable.Range(0, 3).Select(_ => ScoringHarness.NewMemberId()).ToList();
        foreach (var (memberId, index) in members.Select((memberId, index) => (memberId, index)))
        {
            Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync((await harness.TakeInAsync(ScoringHarness.Sale(chainId, $"L-{index}", memberId, 100.00m, gtin)))[0]));
        }

        // Every transaction of the run is applied, and its repeat fails on the wallets it changed: the run
        // must still count (and report to the dashboard) what it expired, and not expire it twice.
        clock.Advance(TimeSpan.FromDays(800));
        using var metrics = new Telemetry.MetricCapture();
        lost.Arm();
        var run = await harness.Services.GetRequiredService<WalletExpiry>().RunAsync(WalletDue.Expiry, CancellationToken.None);
        lost.Disarm();

        Assert.True(lost.Lost > 0);
        Assert.True(run.Lots >= members.Count, $"the run counted {run.Lots} lots");
        Assert.Equal(3 * 150, metrics.Sum("posgreenpoints.points.expired", ("chain_id", chainId)));
        foreach (var memberId in members)
        {
            var balance = await AssertConsistentAsync(harness, memberId);
            Assert.Equal((0L, 150L), (balance.Balance, balance.Expired));
            Assert.Single(await StatementAsync(harness, memberId), entry => entry.Kind == StatementKinds.Expiry);
        }

        await harness.Services.GetRequiredService<WalletExpiry>().RunAsync(WalletDue.Expiry, CancellationToken.None);
        Assert.Equal(3 * 150, metrics.Sum("posgreenpoints.points.expired", ("chain_id", chainId)));
    }

    [Fact]
    public async Task Two_instances_expiring_the_same_lots_at_once_expire_each_once()
    {
        var chainId = SampleReceipts.NewChainId("exprace");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var first = await ScoringHarness.StartAsync(azurite, chainId, clock);
        var second = await ScoringHarness.StartAsync(azurite, chainId, clock);
        var gtin = await first.GreenAndLowVocGtinAsync();
        var members = Enumerable.Range(0, 20).Select(_ => ScoringHarness.NewMemberId()).ToList();
        var sales = members.Select((memberId, index) => ScoringHarness.Sale(chainId, $"R-{index}", memberId, 100.00m, gtin)).ToArray();
        foreach (var receipt in await first.TakeInAsync(sales))
        {
            Assert.Equal(ScoringResult.Scored, await first.ScoreAsync(receipt));
        }

        clock.Advance(TimeSpan.FromDays(800));
        using var start = new ManualResetEventSlim();
        var runs = new[] { first, second }.Select(harness => Task.Run(async () =>
        {
            start.Wait();
            return await harness.Services.GetRequiredService<WalletExpiry>().RunAsync(WalletDue.Expiry, CancellationToken.None);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(runs);

        // Each run takes every due wallet of every chain on this Azurite; these 20 are written once between them.
        Assert.True(results.Sum(run => run.Wallets) >= members.Count);
        foreach (var memberId in members)
        {
            var balance = await AssertConsistentAsync(first, memberId);
            Assert.Equal((150L, 0L), (balance.Expired, balance.Balance));
            Assert.Single(await StatementAsync(first, memberId), entry => entry.Kind == StatementKinds.Expiry);
        }
    }

    [Fact]
    public async Task A_return_racing_the_expiry_of_its_sales_lot_never_takes_expired_points()
    {
        var chainId = SampleReceipts.NewChainId("retexp");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var harness = await ScoringHarness.StartAsync(azurite, chainId, clock);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        for (var round = 0; round < 5; round++)
        {
            var memberId = ScoringHarness.NewMemberId();
            var sale = ScoringHarness.Sale(chainId, $"X-{round}", memberId, 100.00m, gtin);
            var ids = await harness.TakeInAsync(sale, ScoringHarness.Return(sale, $"X-{round}-R"));
            Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(ids[0]));
            clock.Advance(TimeSpan.FromDays(800));

            using var start = new ManualResetEventSlim();
            var expiring = Task.Run(async () =>
            {
                start.Wait();
                await harness.Services.GetRequiredService<WalletExpiry>().RunAsync(WalletDue.Expiry, CancellationToken.None);
            });
            var returning = Task.Run(async () =>
            {
                start.Wait();
                return await harness.ScoreAsync(ids[1]);
            });
            start.Set();
            await expiring;
            Assert.Equal(ScoringResult.Scored, await returning);

            // The sale's points expired before the return: the return's reversal is debt, whichever ran first.
            var balance = await AssertConsistentAsync(harness, memberId);
            Assert.Equal((150L, 150L, 150L, -150L), (balance.Expired, balance.Reversed, balance.Debt, balance.Balance));
        }
    }

    [Fact]
    public async Task A_sale_its_return_and_a_second_sale_scored_at_once_on_two_scorers_leave_one_consistent_wallet()
    {
        var chainId = SampleReceipts.NewChainId("wrace");
        var first = await ScoringHarness.StartAsync(azurite, chainId);
        var second = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await first.GreenAndLowVocGtinAsync();
        for (var round = 0; round < 5; round++)
        {
            var memberId = ScoringHarness.NewMemberId();
            var sale = ScoringHarness.Sale(chainId, $"S-{round}", memberId, 100.00m, gtin);
            var secondSale = ScoringHarness.Sale(chainId, $"S-{round}-2", memberId, 20.00m, gtin);
            var ids = await first.TakeInAsync(sale, ScoringHarness.Return(sale, $"S-{round}-R"), secondSale);
            using var start = new ManualResetEventSlim();
            var scoring = ids.SelectMany(id => new[] { first, second }.Select(harness => Task.Run(async () =>
            {
                start.Wait();
                // The return waits while its sale is not scored yet; its scorer tries again as a redelivery would.
                for (var attempt = 0; attempt < 50; attempt++)
                {
                    var result = await harness.ScoreAsync(id);
                    if (result != ScoringResult.WaitingForOriginal)
                    {
                        return result;
                    }

                    await Task.Delay(20);
                }

                return ScoringResult.WaitingForOriginal;
            }))).ToList();
            start.Set();
            var results = await Task.WhenAll(scoring);
            Assert.DoesNotContain(ScoringResult.WaitingForOriginal, results);

            var balance = await AssertConsistentAsync(first, memberId);
            Assert.Equal((180L, 150L, 30L, 0L), (balance.Earned, balance.Reversed, balance.Balance, balance.Debt));
            var lot = Assert.Single((await Reads(first).LotsAsync(memberId, Operator, CancellationToken.None))!.Lots);
            Assert.Equal(30, lot.Remaining);
        }
    }

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static WalletReads Reads(ScoringHarness harness) => harness.Services.GetRequiredService<WalletReads>();

    private static (long Balance, long Debt) Pick(MemberPointsView view) => (view.Balance, view.Debt);

    private static Task<MemberPointsView> AssertConsistentAsync(ScoringHarness harness, string memberId) => WalletChecks.AssertConsistentAsync(harness, memberId);

    private static Task<List<StatementEntryView>> StatementAsync(ScoringHarness harness, string memberId) => WalletChecks.StatementAsync(harness, memberId);
}
