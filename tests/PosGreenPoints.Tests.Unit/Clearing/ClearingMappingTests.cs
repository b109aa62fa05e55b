using PosGreenPoints.Functions.Clearing;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Tests.Unit.Clearing;

/// <summary>clearing.md's table, row by row, against hand-computed figures and the independent <see cref="SpecClearing"/>.</summary>
public sealed class ClearingMappingTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 15, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void A_redemption_at_R_of_points_issued_by_I_and_by_R_makes_I_owe_R_only_for_Is_points()
    {
        var entry = new StatementEntry(At, EntryKinds.Redemption, -700, "wumart", "RED-1", null, null,
            [new LotTake("L-hualian", "hualian", 500), new LotTake("L-wumart", "wumart", 200)])
        { StoreId = "BJ-1", TerminalId = "POS-1", YuanPerPoint = 0.01m };

        var entries = ClearingMapping.Entries("M1", entry).ToList();

        var only = Assert.Single(entries);
        Assert.Equal(("hualian", "wumart", ClearingKinds.Redemption, "RED-1", "L-hualian", 500L, 5.00m), (only.IssuerChainId, only.RedeemerChainId, only.Kind, only.Reference, only.LotId, only.Points, only.Amount));
        Assert.Equal(("BJ-1", "POS-1", "M1"), (only.StoreId, only.TerminalId, only.MemberId));
        Assert.Equal(5.00m, SpecClearing.OwedFen([entry])[("hualian", "wumart")] / 100m);
    }

    [Fact]
    public void A_refund_is_a_negative_entry_from_issuer_to_redeemer()
    {
        var entry = new StatementEntry(At, EntryKinds.Refund, 200, "wumart", "REF-1", null, null, [new LotTake("L-hualian", "hualian", 200)]) { YuanPerPoint = 0.05m };

        var only = Assert.Single(ClearingMapping.Entries("M1", entry));

        Assert.Equal(("hualian", "wumart", ClearingKinds.Refund, -200L, -10.00m), (only.IssuerChainId, only.RedeemerChainId, only.Kind, only.Points, only.Amount));
    }

    [Fact]
    public void A_reversal_and_a_debt_repayment_taking_another_chains_lot_are_clawbacks_to_the_returns_chain()
    {
        var reversal = new StatementEntry(At, EntryKinds.Reversal, -300, "suning", "RET-1", "SALE-1", null,
            [new LotTake("SALE-1", "suning", 100), new LotTake("L-hualian", "hualian", 200)]) { YuanPerPoint = 0.01m };
        var repayment = new StatementEntry(At, EntryKinds.DebtRepayment, 0, "suning", "RET-1", "L-new", null, [new LotTake("L-new", "wumart", 40)]) { YuanPerPoint = 0.02m };

        var entries = ClearingMapping.Entries("M1", reversal).Concat(ClearingMapping.Entries("M1", repayment)).ToList();

        Assert.Equal(
            [("hualian", "suning", "L-hualian", 200L, 2.00m), ("wumart", "suning", "L-new", 40L, 0.80m)],
            entries.Select(entry => (entry.IssuerChainId, entry.RedeemerChainId, entry.LotId, entry.Points, entry.Amount)));
        Assert.All(entries, entry => Assert.Equal(ClearingKinds.Clawback, entry.Kind));
    }

    [Fact]
    public void Expiries_awards_credits_and_own_points_move_no_money_but_count()
    {
        var entries = new[]
        {
            new StatementEntry(At, EntryKinds.Award, 150, "hualian", "SALE-1", "SALE-1", null, []) { YuanPerPoint = 0.01m },
            new StatementEntry(At, EntryKinds.Expiry, -30, "hualian", "L-1", "L-1", null, [new LotTake("L-1", "hualian", 30)]) { YuanPerPoint = 0.01m },
            new StatementEntry(At, EntryKinds.Redemption, -20, "hualian", "RED-1", null, null, [new LotTake("L-2", "hualian", 20)]) { YuanPerPoint = 0.01m },
            new StatementEntry(At, EntryKinds.Adjustment, 25, "wumart", "ADJ-1", "ADJ-1", null, []) { YuanPerPoint = 0.01m },
        };

        Assert.Empty(entries.SelectMany(entry => ClearingMapping.Entries("M1", entry)));
        var movements = entries.SelectMany(ClearingMapping.Movements).GroupBy(movement => movement.ChainId)
            .ToDictionary(group => group.Key, group => (Issued: group.Sum(m => m.Issued), Redeemed: group.Sum(m => m.RedeemedHere), Expired: group.Sum(m => m.Expired), Outstanding: group.Sum(m => m.Outstanding)));
        Assert.Equal((150L, 20L, 30L, 150L - 30 - 20), movements["hualian"]);
        Assert.Equal((25L, 0L, 0L, 25L), movements["wumart"]);
    }

    [Fact]
    public void An_operator_debit_taking_another_chains_lot_is_a_clawback_of_the_adjustment()
    {
        var debit = new StatementEntry(At, EntryKinds.Adjustment, -50, "wumart", "ADJ-2", null, null, [new LotTake("L-h", "hualian", 50)]) { YuanPerPoint = 0.01m };

        var only = Assert.Single(ClearingMapping.Entries("M1", debit));

        Assert.Equal(("hualian", "wumart", ClearingKinds.Clawback, "ADJ-2", 0.50m), (only.IssuerChainId, only.RedeemerChainId, only.Kind, only.Reference, only.Amount));
    }

    [Fact]
    public void An_entry_moving_money_without_a_value_of_a_point_is_refused()
    {
        var entry = new StatementEntry(At, EntryKinds.Redemption, -10, "wumart", "RED-9", null, null, [new LotTake("L-h", "hualian", 10)]);

        Assert.Throws<InvalidDataException>(() => ClearingMapping.Entries("M1", entry).ToList());
    }

    [Fact]
    public void Every_amount_is_points_times_value_exact_to_the_fen_as_the_independent_calculation_gives()
    {
        var random = new Random(16);
        string[] chains = ["a", "b", "c", "s"];
        string[] kinds = [EntryKinds.Redemption, EntryKinds.Refund, EntryKinds.Reversal, EntryKinds.DebtRepayment, EntryKinds.Expiry, EntryKinds.Award, EntryKinds.Adjustment];
        for (var round = 0; round < 2000; round++)
        {
            var entries = Enumerable.Range(0, random.Next(1, 12)).Select(index =>
            {
                var kind = kinds[random.Next(kinds.Length)];
                var takes = Enumerable.Range(0, random.Next(0, 4)).Select(take => new LotTake($"L{take}", chains[random.Next(chains.Length)], random.Next(1, 100_000))).ToList();
                var points = kind is EntryKinds.Refund or EntryKinds.Award ? 1 : -1;
                return new StatementEntry(At, kind, points * random.Next(1, 1000), chains[random.Next(chains.Length)], $"R{index}", null, null, takes)
                {
                    YuanPerPoint = random.Next(1, 100) / 100m,
                };
            }).ToList();

            var mapped = entries.SelectMany(entry => ClearingMapping.Entries("M", entry)).ToList();
            Assert.All(mapped, entry =>
            {
                Assert.Equal(entry.Points * entry.YuanPerPoint, entry.Amount);
                Assert.Equal(entry.Amount, decimal.Round(entry.Amount, 2));
                Assert.NotEqual(entry.IssuerChainId, entry.RedeemerChainId);
            });
            var expected = SpecClearing.OwedFen(entries);
            var actual = mapped.GroupBy(entry => (entry.IssuerChainId, entry.RedeemerChainId)).ToDictionary(group => group.Key, group => (long)(group.Sum(entry => entry.Amount) * 100));
            Assert.Equal(expected.OrderBy(pair => pair.Key.ToString(), StringComparer.Ordinal), actual.OrderBy(pair => pair.Key.ToString(), StringComparer.Ordinal));
        }
    }

    [Fact]
    public void A_row_survives_the_spool_key_and_sorts_by_counterparty_kind_reference_lot()
    {
        var row = new ClearingRow("a", "b-2", ClearingDirections.Payable, ClearingKinds.Refund, "REF-1", "L", "S", "T", "ref", -12, 0.01m, -0.12m);
        Assert.Equal(row, ClearingRow.FromSpoolKey(row.SpoolKey()));

        ClearingRow Row(string counterparty, string kind, string reference, string lot) =>
            new("a", counterparty, ClearingDirections.Receivable, kind, reference, lot, "", "", "", 1, 0.01m, 0.01m);
        ClearingRow[] ordered =
        [
            Row("b", "clawback", "Z", "Z"), Row("b", "redemption", "A", "Z"), Row("b", "redemption", "A1", "A"),
            Row("b-2", "clawback", "A", "A"), Row("bb", "refund", "A", "A"),
        ];
        using var spool = new ClearingSpool(2);
        foreach (var item in ordered.Reverse())
        {
            spool.Add(item.SpoolKey());
        }

        Assert.Equal(ordered, spool.Sorted().Select(ClearingRow.FromSpoolKey));
    }
}
