using System.Globalization;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Tests.Unit.Wallet;

/// <summary>The wallet decider against wallet.md, case by case; every expected figure comes from the spec's text.</summary>
public sealed class WalletDeciderTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture, DateTimeStyles.None);

    public static TheoryData<string, int, string> Expiries => new()
    {
        // earnedAt, validityMonths, expiresAt
        { "2026-03-15T10:00:00+08:00", 24, "2028-04-01T00:00:00+08:00" }, // wallet.md's own example
        { "2026-01-31T23:59:00+08:00", 24, "2028-02-01T00:00:00+08:00" }, // the last minute of a month stays in that month
        { "2026-01-31T15:59:59Z", 24, "2028-02-01T00:00:00+08:00" },      // 23:59:59 local on the 31st
        { "2026-01-31T16:30:00Z", 24, "2028-03-01T00:00:00+08:00" },      // still the 31st in UTC, already 1 February in Shanghai
        { "2026-12-31T16:00:00Z", 24, "2029-02-01T00:00:00+08:00" },      // UTC says December 2026, Shanghai says January 2027
        { "2026-03-31T20:00:00-05:00", 24, "2028-05-01T00:00:00+08:00" }, // earned in another offset: 1 April 09:00 in Shanghai
        { "2026-02-01T00:00:00+08:00", 24, "2028-03-01T00:00:00+08:00" }, // the first instant of a month
        { "2027-12-31T23:59:00+08:00", 24, "2030-01-01T00:00:00+08:00" }, // across a year end
        { "2026-11-30T23:59:59+08:00", 12, "2027-12-01T00:00:00+08:00" },
        { "2026-01-31T23:59:00+08:00", 1, "2026-03-01T00:00:00+08:00" },  // the end of a short February
        { "2027-12-10T08:00:00+08:00", 2, "2028-03-01T00:00:00+08:00" },  // the end of a leap February
    };

    [Theory]
    [MemberData(nameof(Expiries))]
    public void A_lot_expires_at_the_end_of_the_month_validityMonths_after_the_month_it_was_earned_in_the_scheme_zone(string earnedAt, int validityMonths, string expiresAt)
    {
        var wallet = new WalletUnderTest(WalletRules.Default with { ValidityMonths = validityMonths });

        wallet.Award("S-1", 100, At(earnedAt));

        Assert.Equal(At(expiresAt), wallet.Lot("S-1").ExpiresAt);
        Assert.Equal(At(expiresAt), wallet.Rules.ExpiresAt(At(earnedAt)));
        Assert.Equal(At(expiresAt), SpecWallet.EndOfMonth(At(earnedAt), Shanghai, validityMonths));
        var local = TimeZoneInfo.ConvertTime(wallet.Lot("S-1").ExpiresAt, Shanghai);
        Assert.Equal((1, TimeSpan.Zero), (local.Day, local.TimeOfDay));
    }

    [Fact]
    public void Points_are_expired_from_the_instant_of_expiry_and_not_a_tick_earlier()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("S-1", 50, At("2026-03-15T10:00:00+08:00"));
        var expiresAt = At("2028-04-01T00:00:00+08:00");

        var before = wallet.BalanceAt(expiresAt.AddTicks(-1));
        Assert.Equal((50L, 0L, 0L, 50L), (before.Available, before.Pending, before.Expired, before.Balance));
        Assert.Equal((50L, (DateTimeOffset?)At("2028-03-31T16:00:00Z")), (before.NextExpiryPoints, before.NextExpiryAt));

        var at = wallet.BalanceAt(expiresAt);
        Assert.Equal((0L, 0L, 50L, 0L), (at.Available, at.Pending, at.Expired, at.Balance));
        Assert.Equal((0L, (DateTimeOffset?)null), (at.NextExpiryPoints, at.NextExpiryAt));
        Assert.Empty(WalletDecider.OpenLots(wallet.State, expiresAt));
    }

    [Fact]
    public void Points_are_pending_for_pendingDays_and_available_exactly_at_availableAt()
    {
        var wallet = new WalletUnderTest();
        var earnedAt = At("2026-03-15T10:00:00+08:00");
        wallet.Award("S-1", 120, earnedAt, pendingDays: 7);

        Assert.Equal(earnedAt.AddDays(7), wallet.Lot("S-1").AvailableAt);
        Assert.Equal((0L, 120L), Figures(wallet.BalanceAt(earnedAt)));
        Assert.Equal((0L, 120L), Figures(wallet.BalanceAt(earnedAt.AddDays(7).AddTicks(-1))));
        Assert.Equal((120L, 0L), Figures(wallet.BalanceAt(earnedAt.AddDays(7))));
        Assert.Equal(120, wallet.BalanceAt(earnedAt).Balance);

        static (long Available, long Pending) Figures(WalletBalance balance) => (balance.Available, balance.Pending);
    }

    [Fact]
    public void With_pendingDays_0_points_are_available_at_once()
    {
        var wallet = new WalletUnderTest(WalletRules.Default with { PendingDays = 0 });
        var earnedAt = At("2026-03-15T10:00:00+08:00");

        wallet.Award("A-1", 30, earnedAt, pendingDays: 0);

        var balance = wallet.BalanceAt(earnedAt);
        Assert.Equal((30L, 0L, 30L), (balance.Available, balance.Pending, balance.Balance));
        Assert.Equal(earnedAt, wallet.Lot("A-1").AvailableAt);
    }

    [Fact]
    public void A_lot_still_pending_at_its_expiry_is_expired_not_pending()
    {
        var wallet = new WalletUnderTest(WalletRules.Default with { ValidityMonths = 1 });
        wallet.Award("S-1", 40, At("2026-01-31T23:59:00+08:00"), pendingDays: 60);

        var balance = wallet.BalanceAt(At("2026-03-01T00:00:00+08:00"));

        Assert.Equal((0L, 0L, 40L, 0L), (balance.Available, balance.Pending, balance.Expired, balance.Balance));
        wallet.AssertConsistentAt(At("2026-03-01T00:00:00+08:00"));
    }

    [Fact]
    public void A_reversal_takes_the_sales_own_lot_first_even_while_it_is_pending()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("OLD", 100, At("2026-01-05T10:00:00+08:00"), pendingDays: 0);
        wallet.Award("SALE", 30, At("2026-03-01T10:00:00+08:00"), pendingDays: 7);
        var returnedAt = At("2026-03-03T10:00:00+08:00");

        var reversal = wallet.Reverse("RET-1", 20, "SALE", returnedAt);

        Assert.Equal([new LotTake("SALE", "hualian", 20)], reversal.Taken);
        Assert.Equal(-20, reversal.Points);
        var balance = wallet.BalanceAt(returnedAt);
        Assert.Equal((100L, 10L, 0L, 110L), (balance.Available, balance.Pending, balance.Debt, balance.Balance));
        wallet.AssertConsistentAt(returnedAt);
    }

    [Fact]
    public void A_reversal_then_takes_other_lots_available_first_in_redemption_order_then_pending_then_leaves_debt()
    {
        var wallet = new WalletUnderTest();
        var shortValidity = WalletRules.Default with { ValidityMonths = 12 };
        wallet.Award("X", 10, At("2026-01-05T10:00:00+08:00"), pendingDays: 0, issuer: "wumart");   // expires 2028-02-01
        wallet.Rules = shortValidity;
        wallet.Award("Y", 10, At("2026-02-10T10:00:00+08:00"), pendingDays: 0, issuer: "suning");   // expires 2027-03-01: earned later, expires first
        wallet.Rules = WalletRules.Default;
        wallet.Award("W", 10, At("2026-02-15T10:00:00+08:00"), pendingDays: 0);                     // expires 2028-03-01
        wallet.Award("B", 10, At("2026-02-20T10:00:00+08:00"), pendingDays: 0);                     // same expiry and instant as A: lot id decides
        wallet.Award("A", 10, At("2026-02-20T10:00:00+08:00"), pendingDays: 0);
        wallet.Award("SALE", 10, At("2026-03-01T10:00:00+08:00"), pendingDays: 7);                  // pending, expires 2028-04-01
        wallet.Rules = shortValidity;
        wallet.Award("P", 10, At("2026-03-02T10:00:00+08:00"), pendingDays: 7);                     // pending, expires 2027-04-01: before X, but pending
        var returnedAt = At("2026-03-03T10:00:00+08:00");

        var reversal = wallet.Reverse("RET-1", 75, "SALE", returnedAt, chainId: "hualian");

        Assert.Equal(
            [("SALE", 10L), ("Y", 10L), ("X", 10L), ("W", 10L), ("A", 10L), ("B", 10L), ("P", 10L)],
            reversal.Taken.Select(take => (take.LotId, take.Points)));
        Assert.Equal(["hualian", "suning", "wumart", "hualian", "hualian", "hualian", "hualian"], reversal.Taken.Select(take => take.IssuerChainId));
        var balance = wallet.BalanceAt(returnedAt);
        Assert.Equal((0L, 0L, 5L, -5L, 75L), (balance.Available, balance.Pending, balance.Debt, balance.Balance, balance.Reversed));
        Assert.Equal(new Debt("RET-1", "hualian", returnedAt, 5), Assert.Single(wallet.State.Debts));
        wallet.AssertConsistentAt(returnedAt);
    }

    [Fact]
    public void A_partial_reversal_takes_the_own_lot_and_then_the_first_other_lot_in_redemption_order()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("B", 50, At("2026-02-20T10:00:00+08:00"), pendingDays: 0);
        wallet.Award("A", 50, At("2026-02-20T10:00:00+08:00"), pendingDays: 0);
        wallet.Award("SALE", 10, At("2026-02-21T10:00:00+08:00"), pendingDays: 0);
        var returnedAt = At("2026-02-22T10:00:00+08:00");

        var reversal = wallet.Reverse("RET-1", 15, "SALE", returnedAt);

        Assert.Equal([new LotTake("SALE", "hualian", 10), new LotTake("A", "hualian", 5)], reversal.Taken);
        Assert.Equal(["A", "B"], WalletDecider.OpenLots(wallet.State, returnedAt).Select(lot => lot.LotId));
        Assert.Equal([45L, 50L], WalletDecider.OpenLots(wallet.State, returnedAt).Select(lot => lot.Remaining));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("NO-SUCH-SALE")]
    public void A_reversal_without_its_sales_lot_takes_the_lots_in_reversal_order(string? originalLotId)
    {
        var wallet = new WalletUnderTest();
        wallet.Award("LATER", 10, At("2026-03-10T10:00:00+08:00"), pendingDays: 0);
        wallet.Award("PENDING", 10, At("2026-03-12T10:00:00+08:00"), pendingDays: 7);
        var returnedAt = At("2026-03-13T10:00:00+08:00");

        var reversal = wallet.Reverse("RET-1", 15, originalLotId, returnedAt);

        Assert.Equal([new LotTake("LATER", "hualian", 10), new LotTake("PENDING", "hualian", 5)], reversal.Taken);
        Assert.Equal((0L, 5L, 0L), (wallet.BalanceAt(returnedAt).Available, wallet.BalanceAt(returnedAt).Pending, wallet.BalanceAt(returnedAt).Debt));
        wallet.AssertConsistentAt(returnedAt);
    }

    [Fact]
    public void A_member_in_debt_has_nothing_available_and_nothing_pending()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("S-1", 100, At("2026-03-01T10:00:00+08:00"), pendingDays: 0);
        wallet.Award("S-2", 40, At("2026-03-10T10:00:00+08:00"), pendingDays: 7);
        var returnedAt = At("2026-03-11T10:00:00+08:00");

        wallet.Reverse("RET-1", 150, "S-1", returnedAt);
        wallet.Award("S-3", 4, At("2026-03-12T10:00:00+08:00"), pendingDays: 7);

        foreach (var instant in new[] { returnedAt, At("2026-03-12T10:00:00+08:00"), At("2026-04-30T00:00:00+08:00") })
        {
            var balance = wallet.BalanceAt(instant);
            Assert.Equal((0L, 0L, 6L, -6L), (balance.Available, balance.Pending, balance.Debt, balance.Balance));
            wallet.AssertConsistentAt(instant);
        }

        Assert.Empty(WalletDecider.OpenLots(wallet.State, At("2026-04-30T00:00:00+08:00")));
    }

    [Fact]
    public void Later_awards_repay_the_oldest_debt_first_and_the_new_lot_starts_with_points_less_the_repaid()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("S-1", 100, At("2026-03-01T10:00:00+08:00"), pendingDays: 0);
        wallet.Reverse("RET-1", 130, "S-1", At("2026-03-02T10:00:00+08:00"), chainId: "hualian");
        wallet.Reverse("RET-2", 20, null, At("2026-03-03T10:00:00+08:00"), chainId: "wumart");
        Assert.Equal(50, wallet.BalanceAt(At("2026-03-03T10:00:00+08:00")).Debt);

        var smallAward = wallet.Award("S-2", 40, At("2026-03-04T10:00:00+08:00"), pendingDays: 0, issuer: "suning");

        Assert.Equal(
            [("award", 40L, "suning", "S-2"), ("debt-repayment", 0L, "hualian", "RET-1"), ("debt-repayment", 0L, "wumart", "RET-2")],
            smallAward.Select(entry => (entry.Kind, entry.Points, entry.ChainId, entry.Reference)));
        Assert.Equal([new LotTake("S-2", "suning", 30)], smallAward[1].Taken);
        Assert.Equal([new LotTake("S-2", "suning", 10)], smallAward[2].Taken);
        Assert.Equal(new Debt("RET-2", "wumart", At("2026-03-03T10:00:00+08:00"), 10), Assert.Single(wallet.State.Debts));
        Assert.Empty(WalletDecider.OpenLots(wallet.State, At("2026-03-04T10:00:00+08:00")));
        var afterSmall = wallet.BalanceAt(At("2026-03-04T10:00:00+08:00"));
        Assert.Equal((0L, 0L, 10L, -10L, 140L), (afterSmall.Available, afterSmall.Pending, afterSmall.Debt, afterSmall.Balance, afterSmall.Earned));

        var largeAward = wallet.Award("S-3", 25, At("2026-03-05T10:00:00+08:00"), pendingDays: 7);

        Assert.Equal(["award", "debt-repayment"], largeAward.Select(entry => entry.Kind));
        Assert.Equal([new LotTake("S-3", "hualian", 10)], largeAward[1].Taken);
        var lot = wallet.Lot("S-3");
        Assert.Equal((25L, 15L), (lot.Points, lot.Remaining));
        Assert.Empty(wallet.State.Debts);
        var afterLarge = wallet.BalanceAt(At("2026-03-05T10:00:00+08:00"));
        Assert.Equal((0L, 15L, 0L, 15L), (afterLarge.Available, afterLarge.Pending, afterLarge.Debt, afterLarge.Balance));
        wallet.AssertConsistentAt(At("2026-03-05T10:00:00+08:00"));
    }

    [Fact]
    public void Debt_repayment_entries_change_the_balance_by_nothing_because_the_award_counted_the_points()
    {
        var wallet = new WalletUnderTest();
        wallet.Reverse("RET-1", 30, null, At("2026-03-02T10:00:00+08:00"));
        var before = wallet.BalanceAt(At("2026-03-02T10:00:00+08:00")).Balance;

        var entries = wallet.Award("S-1", 50, At("2026-03-03T10:00:00+08:00"), pendingDays: 0);

        Assert.Equal(0, Assert.Single(entries, entry => entry.Kind == EntryKinds.DebtRepayment).Points);
        var after = wallet.BalanceAt(At("2026-03-03T10:00:00+08:00"));
        Assert.Equal((-30L, 20L, 20L), (before, after.Balance, after.Available));
        Assert.Equal(after.Balance - before, entries.Sum(entry => entry.Points));
        wallet.AssertConsistentAt(At("2026-03-03T10:00:00+08:00"));
    }

    [Fact]
    public void A_reversal_never_takes_expired_points_whether_or_not_their_expiry_is_durable()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("SALE", 50, At("2026-03-15T10:00:00+08:00"));
        var afterExpiry = At("2028-04-01T00:00:00+08:00");

        var lazily = wallet.Reverse("RET-1", 20, "SALE", afterExpiry);

        Assert.Empty(lazily.Taken);
        var balance = wallet.BalanceAt(afterExpiry);
        Assert.Equal((50L, 20L, -20L), (balance.Expired, balance.Debt, balance.Balance));
        wallet.AssertConsistentAt(afterExpiry);

        wallet.ExpireDue(afterExpiry.AddHours(1));
        var durably = wallet.Reverse("RET-2", 5, "SALE", afterExpiry.AddHours(2));

        Assert.Empty(durably.Taken);
        Assert.Equal((50L, 25L, -25L), (wallet.BalanceAt(afterExpiry.AddHours(2)).Expired, wallet.BalanceAt(afterExpiry.AddHours(2)).Debt, wallet.BalanceAt(afterExpiry.AddHours(2)).Balance));
        wallet.AssertConsistentAt(afterExpiry.AddHours(2));
    }

    [Fact]
    public void Expired_points_count_in_expired_and_on_the_statement_before_the_timer_runs()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("S-1", 50, At("2026-03-15T10:00:00+08:00"));
        wallet.Award("S-2", 20, At("2026-04-02T10:00:00+08:00"));
        var expiresAt = At("2028-04-01T00:00:00+08:00");

        var balance = wallet.BalanceAt(expiresAt.AddMinutes(10));

        Assert.Equal((20L, 50L, 20L), (balance.Available, balance.Expired, balance.Balance));
        Assert.Equal(0, wallet.State.Expired);
        var due = Assert.Single(WalletDecider.DueEntries(wallet.State, expiresAt.AddMinutes(10)));
        Assert.Equal((EntryKinds.Expiry, -50L, "S-1", expiresAt), (due.Kind, due.Points, due.LotId, due.PostedAt));
        Assert.Equal(["S-2"], WalletDecider.OpenLots(wallet.State, expiresAt).Select(lot => lot.LotId));
        Assert.Equal((20L, (DateTimeOffset?)At("2028-05-01T00:00:00+08:00")), (balance.NextExpiryPoints, balance.NextExpiryAt));
        wallet.AssertConsistentAt(expiresAt.AddMinutes(10));
    }

    [Fact]
    public void Making_expiry_durable_leaves_the_balance_unchanged_and_dates_the_entry_at_the_expiry_even_when_catching_up()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("S-1", 50, At("2026-03-15T10:00:00+08:00"));
        wallet.Award("S-2", 20, At("2026-04-02T10:00:00+08:00"));
        var catchingUp = At("2028-04-03T00:30:00+08:00"); // two days of downtime
        var lazily = wallet.BalanceAt(catchingUp);

        var entries = wallet.ExpireDue(catchingUp);

        var entry = Assert.Single(entries);
        Assert.Equal((EntryKinds.Expiry, -50L, "S-1", At("2028-04-01T00:00:00+08:00")), (entry.Kind, entry.Points, entry.LotId, entry.PostedAt));
        Assert.Equal([new LotTake("S-1", "hualian", 50)], entry.Taken);
        var durably = wallet.BalanceAt(catchingUp);
        Assert.Equal(lazily with { UpdatedAt = null }, durably with { UpdatedAt = null });
        Assert.Equal(50, wallet.State.Expired);
        Assert.Empty(WalletDecider.DueEntries(wallet.State, catchingUp));
        wallet.AssertConsistentAt(catchingUp);
    }

    [Fact]
    public void Expiring_twice_changes_nothing_the_second_time()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("S-1", 50, At("2026-03-15T10:00:00+08:00"));
        wallet.Award("S-2", 20, At("2026-04-02T10:00:00+08:00"));
        var run = At("2028-04-01T00:30:00+08:00");
        Assert.Single(wallet.ExpireDue(run));
        var once = wallet.State;

        var again = wallet.ExpireDue(run);
        var later = wallet.ExpireDue(run.AddHours(5));

        Assert.Empty(again);
        Assert.Empty(later);
        Assert.Equal(once.Lots, wallet.State.Lots);
        Assert.Equal(once.Debts, wallet.State.Debts);
        Assert.Equal((once.Earned, once.Reversed, once.Redeemed, once.Expired, once.UpdatedAt), (wallet.State.Earned, wallet.State.Reversed, wallet.State.Redeemed, wallet.State.Expired, wallet.State.UpdatedAt));
        Assert.Equal(WalletDecider.BalanceAt(once, run), wallet.BalanceAt(run));
        Assert.Equal(-50, wallet.Statement.Where(entry => entry.Kind == EntryKinds.Expiry).Sum(entry => entry.Points));
        wallet.AssertConsistentAt(run.AddHours(5));
    }

    [Fact]
    public void Expiring_before_the_expiry_instant_does_nothing()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("S-1", 50, At("2026-03-15T10:00:00+08:00"));

        Assert.Empty(wallet.ExpireDue(At("2028-03-31T23:59:59+08:00")));
        Assert.Equal(50, wallet.BalanceAt(At("2028-03-31T23:59:59+08:00")).Available);
    }

    [Fact]
    public void Next_expiry_sums_the_lots_of_the_first_expiry_instant_and_moves_on_when_they_expire()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("S-1", 50, At("2026-03-01T10:00:00+08:00"));
        wallet.Award("S-2", 30, At("2026-03-31T23:59:00+08:00"));
        wallet.Award("S-3", 20, At("2026-04-01T00:00:00+08:00"));
        wallet.Reverse("RET-1", 10, "S-1", At("2026-04-02T00:00:00+08:00"));

        var now = wallet.BalanceAt(At("2026-04-02T00:00:00+08:00"));
        var afterFirst = wallet.BalanceAt(At("2028-04-01T00:00:00+08:00"));

        Assert.Equal((70L, (DateTimeOffset?)At("2028-04-01T00:00:00+08:00")), (now.NextExpiryPoints, now.NextExpiryAt));
        Assert.Equal((20L, (DateTimeOffset?)At("2028-05-01T00:00:00+08:00")), (afterFirst.NextExpiryPoints, afterFirst.NextExpiryAt));
    }

    [Fact]
    public void The_entries_of_a_wallet_sum_to_its_balance_through_awards_reversals_debt_repayments_and_expiries()
    {
        var wallet = new WalletUnderTest();
        var steps = new List<(DateTimeOffset At, Action Step)>
        {
            (At("2026-01-31T23:59:00+08:00"), () => wallet.Award("S-1", 100, At("2026-01-31T23:59:00+08:00"))),
            (At("2026-02-03T10:00:00+08:00"), () => wallet.Award("S-2", 60, At("2026-02-03T10:00:00+08:00"), pendingDays: 0, issuer: "wumart")),
            (At("2026-02-04T10:00:00+08:00"), () => wallet.Reverse("RET-1", 40, "S-1", At("2026-02-04T10:00:00+08:00"))),
            (At("2026-02-05T10:00:00+08:00"), () => wallet.Reverse("RET-2", 150, "S-2", At("2026-02-05T10:00:00+08:00"), chainId: "wumart")),
            (At("2026-02-06T10:00:00+08:00"), () => wallet.Award("S-3", 10, At("2026-02-06T10:00:00+08:00"))),
            (At("2026-02-07T10:00:00+08:00"), () => wallet.Award("S-4", 80, At("2026-02-07T10:00:00+08:00"), pendingDays: 0)),
            (At("2028-03-01T00:00:00+08:00"), () => { }),
            (At("2028-03-02T00:30:00+08:00"), () => wallet.ExpireDue(At("2028-03-02T00:30:00+08:00"))),
            (At("2028-03-03T00:30:00+08:00"), () => wallet.ExpireDue(At("2028-03-03T00:30:00+08:00"))),
        };

        foreach (var (at, step) in steps)
        {
            step();
            wallet.AssertConsistentAt(at);
        }

        var end = wallet.BalanceAt(At("2028-03-03T00:30:00+08:00"));
        Assert.Equal((250L, 190L, 60L, 0L, 0L), (end.Earned, end.Reversed, end.Expired, end.Debt, end.Balance));
        Assert.Equal(
            ["award", "award", "reversal", "reversal", "award", "debt-repayment", "award", "debt-repayment", "expiry"],
            wallet.Statement.Select(entry => entry.Kind));
    }

    [Fact]
    public void Open_lots_are_those_with_points_left_and_not_past_expiry_in_redemption_order()
    {
        var wallet = new WalletUnderTest();
        wallet.Award("GONE", 10, At("2026-01-10T10:00:00+08:00"), pendingDays: 0);
        wallet.Award("OLD", 10, At("2026-01-11T10:00:00+08:00"), pendingDays: 0);
        wallet.Award("NEW", 10, At("2026-03-11T10:00:00+08:00"), pendingDays: 7);
        wallet.Reverse("RET-1", 10, "GONE", At("2026-03-12T10:00:00+08:00"));

        Assert.Equal(["OLD", "NEW"], WalletDecider.OpenLots(wallet.State, At("2026-03-12T10:00:00+08:00")).Select(lot => lot.LotId));
        Assert.Equal(["NEW"], WalletDecider.OpenLots(wallet.State, At("2028-02-01T00:00:00+08:00")).Select(lot => lot.LotId));
    }
}
