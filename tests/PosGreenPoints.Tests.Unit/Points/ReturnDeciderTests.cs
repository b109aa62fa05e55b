using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Tests.Unit.Receipts;

namespace PosGreenPoints.Tests.Unit.Points;

/// <summary>
/// Returns decided against their sale without storage (lists-and-rules.md, "Returns"). The sale is the
/// api.md example: 2 × 129.00 − 10.00 = 248.00 on both lists, 372 points; the return brings back 1 for 124.00.
/// </summary>
public sealed class ReturnDeciderTests
{
    private static readonly ListMatch[] Matches = [new("certified-green", "v1", "CERT-1", "禾木胶粘剂"), new("low-voc", "v1", null, null)];
    private static readonly ScoringDecision Sale = new(new DateOnly(2026, 3, 15), TestReceipts.Now, "rules", "GM7Q2K9X",
        [new DecidedLine(1, "06901234567892", 2, 248.00m, 372, Matches)], []);
    private static readonly Dictionary<int, long> Awarded = new() { [1] = 372 };

    [Fact]
    public void A_partial_return_reverses_its_share_of_the_lines_points_and_settles_its_amount()
    {
        var decided = Decide("R1", TestReceipts.Return(), ReturnsState.None);

        var line = Assert.Single(decided.Decision.Lines);
        Assert.Equal((-186L, -124.00m, 1m, "06901234567892"), (line.Points, line.QualifyingAmount, line.Quantity, line.Gtin14));
        Assert.Equal("GM7Q2K9X", decided.Decision.MemberId);
        Assert.Equal(new ReturnedLine(1m, 186, 124.00m), decided.SaleReturns.Lines[1]);
        Assert.Same(decided.Decision, decided.SaleReturns.Decisions["R1"]);
    }

    [Fact]
    public void Two_partial_returns_of_everything_reverse_exactly_what_was_awarded_and_a_third_nothing()
    {
        var first = Decide("R1", TestReceipts.Return(), ReturnsState.None);
        var second = Decide("R2", TestReceipts.Return(), first.SaleReturns);
        var third = Decide("R3", TestReceipts.Return(), second.SaleReturns);

        Assert.Equal(-372, first.Decision.Lines[0].Points + second.Decision.Lines[0].Points);
        Assert.Equal(0, third.Decision.Lines[0].Points);
        Assert.Contains(PointsCalculator.OverReturnNote, third.Decision.Notes);
        Assert.Equal(248.00m, second.SaleReturns.Lines[1].Amount);
    }

    [Fact]
    public void A_return_line_asking_more_than_its_share_of_the_amount_or_another_gtin_is_cut_and_noted()
    {
        var receipt = TestReceipts.Return();
        receipt["lines"]![0]!["unitPrice"] = 200.00m;
        receipt["lines"]![0]!["discount"] = 0m;
        receipt["lines"]![0]!["amount"] = 200.00m;
        receipt["lines"]![0]!["gtin"] = "4006381333931";
        receipt["total"] = 200.00m;

        var decided = Decide("R1", receipt, ReturnsState.None);

        Assert.Equal((-124.00m, "06901234567892"), (decided.Decision.Lines[0].QualifyingAmount, decided.Decision.Lines[0].Gtin14));
        Assert.Contains(PointsCalculator.ReturnAmountCutNote, decided.Decision.Notes);
        Assert.Contains(PointsCalculator.ReturnLineMismatchNote, decided.Decision.Notes);
    }

    private static ReturnDecision Decide(string returnId, System.Text.Json.Nodes.JsonObject receipt, ReturnsState earlier) =>
        ReturnDecider.Decide(returnId, TestReceipts.AssertValid(TestReceipts.Validate(receipt)), Sale, Awarded, earlier, new DateOnly(2026, 3, 15), TestReceipts.Now, "rules");
}
