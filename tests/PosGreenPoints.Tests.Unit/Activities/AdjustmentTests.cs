using System.Text.Json;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Tests.Unit.Activities;

/// <summary>activities.md, "Operator adjustments": the body's rules and what an adjustment does to a wallet.</summary>
public sealed class AdjustmentTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 15, 10, 0, 0, TimeSpan.FromHours(8));

    private static IDictionary<string, string[]>? ErrorsOf(string memberId, string json)
    {
        using var document = JsonDocument.Parse(json);
        return Adjustments.Validate(memberId, document.RootElement).Errors;
    }

    [Theory]
    [InlineData("M1", """{"chainId":"c","points":5,"reason":"r"}""", "adjustmentId")]
    [InlineData("M1", """{"adjustmentId":"a b","chainId":"c","points":5,"reason":"r"}""", "adjustmentId")]
    [InlineData("M1", """{"adjustmentId":"a","points":5,"reason":"r"}""", "chainId")]
    [InlineData("M1", """{"adjustmentId":"a","chainId":"c","reason":"r"}""", "points")]
    [InlineData("M1", """{"adjustmentId":"a","chainId":"c","points":0,"reason":"r"}""", "points")]
    [InlineData("M1", """{"adjustmentId":"a","chainId":"c","points":1.5,"reason":"r"}""", "points")]
    [InlineData("M1", """{"adjustmentId":"a","chainId":"c","points":"5","reason":"r"}""", "points")]
    [InlineData("M1", """{"adjustmentId":"a","chainId":"c","points":100000001,"reason":"r"}""", "points")]
    [InlineData("M1", """{"adjustmentId":"a","chainId":"c","points":5}""", "reason")]
    [InlineData("M1", """{"adjustmentId":"a","chainId":"c","points":5,"reason":""}""", "reason")]
    [InlineData("M1", """{"adjustmentId":"a","chainId":"c","points":5,"reason":"  "}""", "reason")]
    [InlineData("M1", """{"adjustmentId":"a","chainId":"c","points":5,"reason":"a\nb"}""", "reason")]
    [InlineData("M.1", """{"adjustmentId":"a","chainId":"c","points":5,"reason":"r"}""", "memberId")]
    [InlineData("M1", "[]", "$")]
    public void Each_rule_is_refused_at_its_path(string memberId, string json, string path)
    {
        Assert.Equal([path], ErrorsOf(memberId, json)!.Keys);
    }

    [Fact]
    public void A_reason_of_200_characters_is_kept_and_201_is_refused()
    {
        Assert.Null(ErrorsOf("M1", $$"""{"adjustmentId":"a","chainId":"c","points":-5,"reason":"{{new string('因', 200)}}"}"""));
        Assert.Equal(["reason"], ErrorsOf("M1", $$"""{"adjustmentId":"a","chainId":"c","points":-5,"reason":"{{new string('因', 201)}}"}""")!.Keys);
    }

    [Fact]
    public void A_credit_is_a_lot_of_the_chain_available_at_once_shown_as_an_adjustment_with_its_reason()
    {
        var change = WalletAdjustments.Adjust(WalletState.Empty, "ADJ-1", "hualian", 300, "goodwill", Now, WalletRules.Default);

        var lot = Assert.Single(change.State.Lots);
        Assert.Equal(("ADJ-1", "hualian", 300L, Now), (lot.LotId, lot.IssuerChainId, lot.Remaining, lot.AvailableAt));
        var entry = Assert.Single(change.Entries);
        Assert.Equal((EntryKinds.Adjustment, 300L, "goodwill", "ADJ-1"), (entry.Kind, entry.Points, entry.Note, entry.Reference));
        Assert.Equal(300, WalletDecider.BalanceAt(change.State, Now).Available);
    }

    [Fact]
    public void A_debit_takes_lots_in_reversal_order_then_leaves_debt_and_a_later_credit_repays_it()
    {
        var state = WalletDecider.Award(WalletState.Empty, "R1", "hualian", 100, Now.AddDays(-1), TimeSpan.Zero, WalletRules.Default).State;

        var debit = WalletAdjustments.Adjust(state, "ADJ-2", "sh-metro", -150, "fraud correction", Now, WalletRules.Default);

        var entry = Assert.Single(debit.Entries);
        Assert.Equal((EntryKinds.Adjustment, -150L, "sh-metro"), (entry.Kind, entry.Points, entry.ChainId));
        Assert.StartsWith("fraud correction", entry.Note, StringComparison.Ordinal);
        Assert.Equal([new LotTake("R1", "hualian", 100)], entry.Taken);
        Assert.Equal(50, debit.State.DebtPoints);
        Assert.Equal(-50, WalletDecider.BalanceAt(debit.State, Now).Balance);

        var credit = WalletAdjustments.Adjust(debit.State, "ADJ-3", "hualian", 80, "goodwill", Now, WalletRules.Default);
        Assert.Equal(0, credit.State.DebtPoints);
        Assert.Equal(30, Assert.Single(credit.State.Lots).Remaining);
        Assert.Equal([EntryKinds.Adjustment, EntryKinds.DebtRepayment], credit.Entries.Select(item => item.Kind));
        Assert.Equal(30, WalletDecider.BalanceAt(credit.State, Now).Balance);
    }
}
