using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Redemption;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Tests.Integration.Activities;
using PosGreenPoints.Tests.Integration.Points;
using PosGreenPoints.Tests.Integration.Wallet;

namespace PosGreenPoints.Tests.Integration.Redemption;

/// <summary>
/// Redemptions against Azurite (redemption.md, operations.md "The wallet"): a member's points are never
/// spent twice and <c>available</c> never goes below 0 when reservations, commits, cancels, lapses,
/// refunds, scoring, returns and expiry of one member race on two instances, or when the process dies
/// between any two writes. Sales earn 150 points (100.00 of a product on both sample lists) and become
/// available after 7 days, which the tests' clock skips.
/// </summary>
[Collection(SharedAzurite.Name)]
public sealed class RedemptionStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Twenty_reservations_at_once_on_two_instances_hold_exactly_what_the_balance_allows()
    {
        var (first, second, chainId, memberId) = await MemberWithPointsAsync("race", sales: 2);
        var till = Till(chainId);
        var codes = new List<string>();
        for (var index = 0; index < 20; index++)
        {
            codes.Add((await Service(first).IssueCodeAsync(memberId, CancellationToken.None)).Code);
        }

        // 20 × 40 points asked of 300: 7 fit (280), whatever the order; the rest must be refused.
        var outcomes = await Task.WhenAll(codes.Select((code, index) =>
            Service(index % 2 == 0 ? first : second).ReserveAsync(Reservation(chainId, $"RACE-{index}", code, 40), till, CancellationToken.None)));

        var granted = outcomes.OfType<RedemptionOutcome.Done>().Select(done => (RedemptionView)done.View).ToList();
        Assert.Equal(7, granted.Count);
        Assert.All(outcomes.Where(outcome => outcome is not RedemptionOutcome.Done), outcome => Assert.IsType<RedemptionOutcome.InsufficientPoints>(outcome));
        var balance = await WalletChecks.AssertConsistentAsync(first, memberId);
        Assert.Equal((300L, 280L, 20L), (balance.Balance, balance.Reserved, balance.Available));

        // Commits from both instances at once, each twice: each redemption is spent once.
        var commits = await Task.WhenAll(granted.SelectMany(view => new[] { first, second }.Select(harness =>
            Service(harness).CommitAsync(chainId, view.RedemptionId, null, till, CancellationToken.None))));
        Assert.All(commits, outcome => Assert.Equal(RedemptionStatuses.Committed, Assert.IsType<RedemptionView>(Assert.IsType<RedemptionOutcome.Done>(outcome).View).Status));
        balance = await WalletChecks.AssertConsistentAsync(first, memberId);
        Assert.Equal((20L, 0L, 20L, 280L), (balance.Balance, balance.Reserved, balance.Available, balance.Redeemed));
        Assert.Equal(7, (await WalletChecks.StatementAsync(first, memberId)).Count(entry => entry.Kind == StatementKinds.Redemption));
    }

    [Fact]
    public async Task A_process_dying_after_each_write_of_reserve_commit_refund_and_cancel_leaves_each_applied_once()
    {
        var crash = new CrashAfterWrites();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var chainId = SampleReceipts.NewChainId("rcrash");
        var harness = await ScoringHarness.StartAsync(azurite, chainId, clock, crash);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var till = Till(chainId);

        for (var allowed = 0; allowed < 6; allowed++)
        {
            var memberId = ScoringHarness.NewMemberId();
            Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync((await harness.TakeInAsync(ScoringHarness.Sale(chainId, $"RC-{allowed}", memberId, 100.00m, gtin)))[0]));
            clock.Advance(TimeSpan.FromDays(8));
            var code = (await Service(harness).IssueCodeAsync(memberId, CancellationToken.None)).Code;
            var spend = Reservation(chainId, $"SPEND-{allowed}", code, 100);
            var keep = Reservation(chainId, $"KEEP-{allowed}", (await Service(harness).IssueCodeAsync(memberId, CancellationToken.None)).Code, 30);

            // Each step dies after `allowed` writes, then is repeated by the till as it would after no answer.
            await DyingThenAgainAsync(crash, allowed, () => Service(harness).ReserveAsync(spend, till, CancellationToken.None));
            await DyingThenAgainAsync(crash, allowed, () => Service(harness).CommitAsync(chainId, spend.RedemptionId!, null, till, CancellationToken.None));
            await DyingThenAgainAsync(crash, allowed, () => Service(harness).RefundAsync(chainId, spend.RedemptionId!, new RefundRequest("REF-1", 40), till, CancellationToken.None));
            await DyingThenAgainAsync(crash, allowed, () => Service(harness).ReserveAsync(keep, till, CancellationToken.None));
            await DyingThenAgainAsync(crash, allowed, () => Service(harness).CancelAsync(chainId, keep.RedemptionId!, till, CancellationToken.None));

            var balance = await WalletChecks.AssertConsistentAsync(harness, memberId);
            Assert.Equal((90L, 60L, 0L, 90L), (balance.Balance, balance.Redeemed, balance.Reserved, balance.Available));
            var statement = await WalletChecks.StatementAsync(harness, memberId);
            Assert.Equal(-100, Assert.Single(statement, entry => entry.Kind == StatementKinds.Redemption).Points);
            Assert.Equal(40, Assert.Single(statement, entry => entry.Kind == StatementKinds.Refund).Points);
            var read = Assert.IsType<RedemptionView>(Assert.IsType<RedemptionOutcome.Done>(await Service(harness).GetAsync(chainId, spend.RedemptionId!, till, CancellationToken.None)).View);
            Assert.Equal((RedemptionStatuses.Committed, 40L), (read.Status, read.Refunded));
        }
    }

    [Fact]
    public async Task Reservations_racing_a_return_expiry_the_sweep_and_commits_on_two_instances_never_spend_a_point_twice()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var chainId = SampleReceipts.NewChainId("rmix");
        var first = await ScoringHarness.StartAsync(azurite, chainId, clock);
        var second = await ScoringHarness.StartAsync(azurite, chainId, clock);
        var gtin = await first.GreenAndLowVocGtinAsync();
        var till = Till(chainId);
        var memberId = ScoringHarness.NewMemberId();
        var sales = Enumerable.Range(0, 3).Select(index => ScoringHarness.Sale(chainId, $"MIX-{index}", memberId, 100.00m, gtin)).ToArray();
        foreach (var receipt in await first.TakeInAsync(sales))
        {
            Assert.Equal(ScoringResult.Scored, await first.ScoreAsync(receipt));
        }

        clock.Advance(TimeSpan.FromDays(8));
        // Hold 200 of the 450; then, all at once: more reservations, a return of a sale (150), commits,
        // cancels, the holds sweep and the expiry run on both instances, and the holds' end passing.
        var held = new List<string>();
        for (var index = 0; index < 4; index++)
        {
            var code = (await Service(first).IssueCodeAsync(memberId, CancellationToken.None)).Code;
            Assert.IsType<RedemptionOutcome.Done>(await Service(first).ReserveAsync(Reservation(chainId, $"HELD-{index}", code, 50), till, CancellationToken.None));
            held.Add($"HELD-{index}");
        }

        var returnReceipt = (await first.TakeInAsync(ScoringHarness.Return(sales[0], "MIX-RETURN")))[0];
        var moreCodes = new List<string>();
        for (var index = 0; index < 6; index++)
        {
            moreCodes.Add((await Service(second).IssueCodeAsync(memberId, CancellationToken.None)).Code);
        }

        var work = new List<Task>
        {
            second.ScoreAsync(returnReceipt),
            first.Services.GetRequiredService<WalletExpiry>().RunAsync(WalletDue.Lapse, CancellationToken.None),
            second.Services.GetRequiredService<WalletExpiry>().RunAsync(WalletDue.Expiry, CancellationToken.None),
            Service(first).CommitAsync(chainId, held[0], null, till, CancellationToken.None),
            Service(second).CommitAsync(chainId, held[0], null, till, CancellationToken.None),
            Service(second).CancelAsync(chainId, held[1], till, CancellationToken.None),
            Service(first).CommitAsync(chainId, held[2], null, till, CancellationToken.None),
        };
        work.AddRange(moreCodes.Select((code, index) => (Task)Service(index % 2 == 0 ? first : second).ReserveAsync(Reservation(chainId, $"MORE-{index}", code, 60), till, CancellationToken.None)));
        await Task.WhenAll(work);

        var balance = await WalletChecks.AssertConsistentAsync(first, memberId);
        Assert.True(balance.Available >= 0 && balance.Reserved >= 0, $"negative figures: {balance}");
        Assert.Equal(450 - 150, balance.Earned - balance.Reversed);
        // Two commits spent 100; the return took 150 of what was not held; every other point is held or available.
        Assert.Equal(100, balance.Redeemed);

        // The holds run out; the sweep on both instances releases each once.
        clock.Advance(TimeSpan.FromMinutes(16));
        await Task.WhenAll(
            first.Services.GetRequiredService<WalletExpiry>().RunAsync(WalletDue.Lapse, CancellationToken.None),
            second.Services.GetRequiredService<WalletExpiry>().RunAsync(WalletDue.Lapse, CancellationToken.None));
        balance = await WalletChecks.AssertConsistentAsync(second, memberId);
        Assert.Equal((0L, 200L, 0L), (balance.Reserved, balance.Available, balance.Debt));
        var lapsed = Assert.IsType<RedemptionOutcome.NotOpen>(await Service(second).CommitAsync(chainId, held[3], null, till, CancellationToken.None));
        Assert.Equal(RedemptionStatuses.Lapsed, lapsed.Status);
    }

    [Fact]
    public async Task Failed_code_look_ups_over_the_limit_are_refused_on_both_instances()
    {
        var (first, second, chainId, memberId) = await MemberWithPointsAsync("limit", sales: 1);
        var till = new Caller("till-" + chainId, Role.Pos, new HashSet<string> { chainId });
        for (var index = 0; index < 20; index++)
        {
            Assert.IsType<RedemptionOutcome.CodeInvalid>(await Service(index % 2 == 0 ? first : second).BalanceByCodeAsync($"{index:D18}", till, CancellationToken.None));
        }

        // The 21st failure this minute, on either instance, is 429; and then even a good code waits.
        var refused = Assert.IsType<RedemptionOutcome.CodeLookupsLimited>(await Service(second).BalanceByCodeAsync("999999999999999999", till, CancellationToken.None));
        Assert.InRange(refused.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1));
        var good = (await Service(first).IssueCodeAsync(memberId, CancellationToken.None)).Code;
        Assert.IsType<RedemptionOutcome.CodeLookupsLimited>(await Service(second).BalanceByCodeAsync(good, till, CancellationToken.None));

        // Another key is not affected, and a good code does not use the code up.
        var other = new Caller("other-" + chainId, Role.Pos, new HashSet<string> { chainId });
        var balance = Assert.IsType<RedemptionOutcome.Balance>(await Service(first).BalanceByCodeAsync(good, other, CancellationToken.None));
        Assert.Equal(150, balance.View.Available);
        Assert.IsType<RedemptionOutcome.Done>(await Service(first).ReserveAsync(Reservation(chainId, "AFTER-READ", good, 10), other, CancellationToken.None));
        Assert.IsType<RedemptionOutcome.CodeInvalid>(await Service(first).BalanceByCodeAsync(good, other, CancellationToken.None));
    }

    private static async Task DyingThenAgainAsync(CrashAfterWrites crash, int allowed, Func<Task<RedemptionOutcome>> step)
    {
        crash.Arm(allowed);
        try
        {
            await step();
        }
        catch (SimulatedCrashException)
        {
            // The instance died here; the till repeats the request.
        }
        finally
        {
            crash.Disarm();
        }

        Assert.IsType<RedemptionOutcome.Done>(await step());
    }

    private async Task<(ScoringHarness First, ScoringHarness Second, string ChainId, string MemberId)> MemberWithPointsAsync(string name, int sales)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var chainId = SampleReceipts.NewChainId(name);
        var first = await ScoringHarness.StartAsync(azurite, chainId, clock);
        var second = await ScoringHarness.StartAsync(azurite, chainId, clock);
        var gtin = await first.GreenAndLowVocGtinAsync();
        var memberId = ScoringHarness.NewMemberId();
        foreach (var receipt in await first.TakeInAsync([.. Enumerable.Range(0, sales).Select(index => ScoringHarness.Sale(chainId, $"{name}-{index}", memberId, 100.00m, gtin))]))
        {
            Assert.Equal(ScoringResult.Scored, await first.ScoreAsync(receipt));
        }

        clock.Advance(TimeSpan.FromDays(8));
        return (first, second, chainId, memberId);
    }

    [Fact]
    public async Task A_posting_that_releases_a_lapsed_hold_on_a_lot_expired_meanwhile_sends_its_points_expired()
    {
        using var rules = new ActivityRulesFile();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var chainId = SampleReceipts.NewChainId("rlapse");
        await using var harness = await ActivityHarness.StartAsync(azurite, rules, chainId, clock);
        var memberId = ScoringHarness.NewMemberId();
        using (var credit = System.Text.Json.JsonDocument.Parse($$"""{"adjustmentId":"GOODWILL","chainId":"{{chainId}}","points":300,"reason":"goodwill"}"""))
        {
            Assert.IsType<AdjustmentRequestOutcome.Done>(await harness.Services.GetRequiredService<Adjustments>().PostAsync(memberId, credit.RootElement, CancellationToken.None));
        }

        // 100 of the lot's 300 held 5 minutes before it expires; 20 minutes later the lot has expired and the
        // hold has lapsed, and neither the expiry run nor the sweep has run.
        var operatorCaller = new Caller("tests", Role.Operator, new HashSet<string>());
        var lot = Assert.Single((await harness.Services.GetRequiredService<WalletReads>().LotsAsync(memberId, operatorCaller, CancellationToken.None))!.Lots);
        clock.SetUtcNow(lot.ExpiresAt.AddMinutes(-5));
        var redemptions = harness.Services.GetRequiredService<Redemptions>();
        var code = (await redemptions.IssueCodeAsync(memberId, CancellationToken.None)).Code;
        Assert.IsType<RedemptionOutcome.Done>(await redemptions.ReserveAsync(Reservation(chainId, "HELD", code, 100), Till(chainId), CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(20));

        // A trip posted to the member releases the hold first; the held points expire at the release.
        var trip = (await harness.TakeInAsync(ActivityHarness.Activity(chainId, "LAPSE-TRIP", memberId, "trip", 1, occurredAt: clock.GetUtcNow().AddMinutes(-2))))[0];
        Assert.Equal(ScoringResult.Scored, (await ActivityHarness.ScoreAsync(harness.Scorer, trip)).Results[trip.Id]);

        var expired = Assert.Single(await WalletChecks.ExpiryEventsAsync(azurite, [memberId]));
        Assert.Equal(100, expired.Points);
        var balance = (await harness.Services.GetRequiredService<WalletReads>().BalanceAsync(memberId, operatorCaller, CancellationToken.None))!;
        Assert.Equal((0L, 300L, 10L), (balance.Reserved, balance.Expired, balance.Earned - 300));
    }

    [Fact]
    public async Task A_debit_adjustment_takes_the_points_of_a_hold_that_ran_out_rather_than_making_debt()
    {
        using var rules = new ActivityRulesFile();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var chainId = SampleReceipts.NewChainId("rdebit");
        await using var harness = await ActivityHarness.StartAsync(azurite, rules, chainId, clock);
        var memberId = ScoringHarness.NewMemberId();
        var adjustments = harness.Services.GetRequiredService<Adjustments>();
        await AdjustAsync(adjustments, memberId, $$"""{"adjustmentId":"GOODWILL","chainId":"{{chainId}}","points":300,"reason":"goodwill"}""");
        var redemptions = harness.Services.GetRequiredService<Redemptions>();
        var code = (await redemptions.IssueCodeAsync(memberId, CancellationToken.None)).Code;
        Assert.IsType<RedemptionOutcome.Done>(await redemptions.ReserveAsync(Reservation(chainId, "RAN-OUT", code, 100), Till(chainId), CancellationToken.None));

        // The hold (15 minutes) has run out and no sweep has run: all 300 points are free, so a debit of 250
        // takes 250 and leaves no debt, in the order things happened (the lapse, then the debit).
        clock.Advance(TimeSpan.FromMinutes(20));
        await AdjustAsync(adjustments, memberId, $$"""{"adjustmentId":"CORRECTION","chainId":"{{chainId}}","points":-250,"reason":"correction"}""");

        var statement = await WalletChecks.StatementAsync(harness.Services, memberId);
        var debit = Assert.Single(statement, entry => entry.Reference == "CORRECTION");
        Assert.Equal((-250L, "correction"), (debit.Points, debit.Note));
        Assert.DoesNotContain(statement, entry => entry.Kind == StatementKinds.DebtRepayment);
        var operatorCaller = new Caller("tests", Role.Operator, new HashSet<string>());
        var balance = (await harness.Services.GetRequiredService<WalletReads>().BalanceAsync(memberId, operatorCaller, CancellationToken.None))!;
        Assert.Equal((50L, 50L, 0L, 0L), (balance.Balance, balance.Available, balance.Reserved, balance.Debt));
        var redemption = Assert.IsType<RedemptionView>(Assert.IsType<RedemptionOutcome.Done>(await redemptions.GetAsync(chainId, "RAN-OUT", Till(chainId), CancellationToken.None)).View);
        Assert.Equal(RedemptionStatuses.Lapsed, redemption.Status);
    }

    private static async Task AdjustAsync(Adjustments adjustments, string memberId, string body)
    {
        using var request = System.Text.Json.JsonDocument.Parse(body);
        Assert.IsType<AdjustmentRequestOutcome.Done>(await adjustments.PostAsync(memberId, request.RootElement, CancellationToken.None));
    }

    private static Redemptions Service(ScoringHarness harness) => harness.Services.GetRequiredService<Redemptions>();

    private static Caller Till(string chainId) => new("till-" + chainId, Role.Pos, new HashSet<string> { chainId });

    private static RedemptionRequest Reservation(string chainId, string redemptionId, string code, long points) =>
        new(chainId, "SH-0001", "POS-01", redemptionId, code, null, points, RedemptionPurposes.Discount, null, null);
}
