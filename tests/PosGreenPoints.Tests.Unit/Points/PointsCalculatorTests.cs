using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Tests.Unit.Points;

public sealed class PointsCalculatorTests
{
    private static readonly PointsRules Rules = new(
        "test-rules",
        new Dictionary<string, ListRule>
        {
            ["certified-green"] = new(1.0m, ["gtin", "valid_from", "valid_to"]),
            ["low-voc"] = new(0.5m, ["gtin", "valid_from", "valid_to"]),
        },
        MaxPointsPerReceipt: 5000,
        MaxPointsPerMemberPerDay: 20000);

    private static readonly ListMatch Green = new("certified-green", "v1", "GP-1", "绿色产品");
    private static readonly ListMatch LowVoc = new("low-voc", "v7", null, "低VOC涂料");

    public static TheoryData<string, decimal, ListMatch[], long, decimal> LinePoints => new()
    {
        // name, amount, matches, expected points, expected qualifying amount
        { "no match earns nothing and does not qualify", 248.00m, [], 0, 0m },
        { "certified green: 1 point per yuan", 248.00m, [Green], 248, 248.00m },
        { "low VOC: half a point per yuan, floored", 249.00m, [LowVoc], 124, 249.00m },
        { "both lists stack to 1.5 per yuan", 248.00m, [Green, LowVoc], 372, 248.00m },
        { "a fen short of the next point floors down", 99.99m, [Green], 99, 99.99m },
        { "stacked fractions floor once, not per list", 0.99m, [Green, LowVoc], 1, 0.99m },
        { "a single fen earns nothing but qualifies", 0.01m, [Green], 0, 0.01m },
        { "a zero amount qualifies with zero points", 0m, [Green], 0, 0m },
        { "fractional quantity amounts (0.375 kg × 12.80 = 4.80)", 4.80m, [LowVoc], 2, 4.80m },
    };

    [Theory]
    [MemberData(nameof(LinePoints))]
    public void Line_points_are_the_floor_of_amount_times_the_summed_rates(string name, decimal amount, ListMatch[] matches, long points, decimal qualifying)
    {
        var (lines, capped) = PointsCalculator.ScoreSale([new ClassifiedLine(1, "06901234567892", amount, matches)], Rules);

        var line = Assert.Single(lines);
        Assert.True(points == line.Points, name);
        Assert.Equal(qualifying, line.QualifyingAmount);
        Assert.False(capped);
    }

    [Fact]
    public void A_list_the_rules_do_not_name_earns_nothing()
    {
        var (lines, _) = PointsCalculator.ScoreSale([new ClassifiedLine(1, null, 100m, [new ListMatch("energy-grade-1", "v1", null, null)])], Rules);

        Assert.Equal(0, lines[0].Points);
    }

    [Fact]
    public void Receipt_cap_keeps_points_in_line_order_cuts_the_crossing_line_and_zeroes_the_rest()
    {
        var (lines, capped) = PointsCalculator.ScoreSale(
        [
            new ClassifiedLine(3, null, 1000m, [Green]),
            new ClassifiedLine(1, null, 3000m, [Green]),
            new ClassifiedLine(2, null, 2500m, [Green]),
            new ClassifiedLine(4, null, 10m, []),
        ], Rules);

        Assert.True(capped);
        Assert.Equal([(1, 3000L), (2, 2000L), (3, 0L), (4, 0L)], lines.Select(line => (line.LineNumber, line.Points)));
        Assert.Equal(5000, lines.Sum(line => line.Points));
        Assert.Equal(1000m, lines.Single(line => line.LineNumber == 3).QualifyingAmount);
    }

    [Fact]
    public void Receipt_exactly_at_the_cap_is_not_capped()
    {
        var (lines, capped) = PointsCalculator.ScoreSale([new ClassifiedLine(1, null, 5000m, [Green])], Rules);

        Assert.False(capped);
        Assert.Equal(5000, lines[0].Points);
    }

    public static TheoryData<long, long[], long[], bool> MemberCaps => new()
    {
        // earned that day already, line points, expected, capped
        { 0, [3000, 2000], [3000, 2000], false },
        { 15000, [3000, 2000], [3000, 2000], false },
        { 16000, [3000, 2000], [3000, 1000], true },
        { 19999, [3000, 2000], [1, 0], true },
        { 20000, [3000, 2000], [0, 0], true },
        { 25000, [10], [0], true },
    };

    [Theory]
    [MemberData(nameof(MemberCaps))]
    public void Member_daily_cap_cuts_the_crossing_receipt_in_line_order(long earnedThatDay, long[] points, long[] expected, bool capped)
    {
        var lines = points.Select((value, index) => new LinePoints(index + 1, null, value, value, [Green])).ToList();

        var (result, wasCapped) = PointsCalculator.ApplyMemberDailyCap(lines, earnedThatDay, Rules);

        Assert.Equal(expected, result.Select(line => line.Points));
        Assert.Equal(capped, wasCapped);
    }

    public static TheoryData<string, decimal, long, (decimal Qty, long Reversed), decimal, long, bool> Reversals => new()
    {
        // name, original quantity, original points, (returned before, reversed before), returned now, expected points (negative), over-return
        { "a full return reverses exactly what was awarded", 2m, 372, (0m, 0), 2m, -372, false },
        { "half of two", 2m, 372, (0m, 0), 1m, -186, false },
        { "one of three floors", 3m, 100, (0m, 0), 1m, -33, false },
        { "the second of three takes the remainder of the floor", 3m, 100, (1m, 33), 1m, -33, false },
        { "the last of three reverses exactly what is left", 3m, 100, (2m, 66), 1m, -34, false },
        { "fractional quantities: 0.25 of 0.75 kg", 0.75m, 10, (0m, 0), 0.25m, -3, false },
        { "returning more than is left counts what is left", 2m, 372, (1m, 186), 5m, -186, true },
        { "nothing is left to return", 2m, 372, (2m, 372), 1m, 0, true },
        { "a line that earned 0 (capped) reverses 0", 2m, 0, (0m, 0), 2m, 0, false },
    };

    [Theory]
    [MemberData(nameof(Reversals))]
    public void Returns_reverse_the_floor_of_points_times_cumulative_quantity_share_minus_what_was_reversed(
        string name, decimal quantity, long points, (decimal Qty, long Reversed) before, decimal returned, long expected, bool overReturn)
    {
        var reversal = PointsCalculator.ReverseLine(1, returned, new ReturnableLine(7, quantity, points, before.Qty, before.Reversed));

        Assert.True(expected == reversal.Points, $"{name}: expected {expected}, got {reversal.Points}");
        Assert.Equal(overReturn, reversal.OverReturn);
        Assert.Equal(7, reversal.OriginalLineNumber);
        Assert.True(before.Reversed - reversal.Points <= points, "never reverses more than was awarded");
    }

    [Fact]
    public void Several_partial_returns_add_up_to_exactly_the_award()
    {
        var original = new ReturnableLine(1, 7m, 1001, 0m, 0);
        foreach (var returned in new[] { 1m, 2.5m, 0.5m, 3m })
        {
            var reversal = PointsCalculator.ReverseLine(1, returned, original);
            original = original with { ReturnedQuantity = original.ReturnedQuantity + reversal.ReturnedQuantity, ReversedPoints = original.ReversedPoints - reversal.Points };
        }

        Assert.Equal(7m, original.ReturnedQuantity);
        Assert.Equal(1001, original.ReversedPoints);
    }

    [Theory]
    [InlineData(10.00, 3, 1, 0, 3.33)]
    [InlineData(10.00, 3, 2, 3.33, 3.34)]
    [InlineData(10.00, 3, 3, 6.67, 3.33)]
    [InlineData(0.05, 2, 1, 0, 0.03)]
    [InlineData(248.00, 2, 5, 0, 248.00)]
    [InlineData(10.00, 1, 1, 10.00, 0)]
    public void A_return_settles_at_most_the_original_amount_share_rounded_half_away_from_zero_less_earlier_returns(
        double originalAmount, double originalQuantity, double cumulativeReturned, double returnedBefore, double expected)
    {
        var bound = PointsCalculator.ReturnableAmount((decimal)originalAmount, (decimal)originalQuantity, (decimal)cumulativeReturned, (decimal)returnedBefore);

        Assert.Equal((decimal)expected, bound);
    }

    [Fact]
    public void Partial_returns_of_a_line_settle_exactly_its_amount_in_total()
    {
        var settled = 0m;
        var quantity = 0m;
        foreach (var returned in new[] { 1m, 1m, 1m, 4m })
        {
            quantity += returned;
            settled += PointsCalculator.ReturnableAmount(99.99m, 7m, quantity, settled);
        }

        Assert.Equal(99.99m, settled);
    }
}
