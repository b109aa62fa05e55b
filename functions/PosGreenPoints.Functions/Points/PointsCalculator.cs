using PosGreenPoints.Functions.Classification;

namespace PosGreenPoints.Functions.Points;

/// <summary>A sale line as classified: what it matched and what it earns before any cap.</summary>
public sealed record ClassifiedLine(int LineNumber, string? Gtin14, decimal Amount, IReadOnlyList<ListMatch> Matches);

/// <summary>The points of one line after the caps; qualifying lines are those with at least one match.</summary>
public sealed record LinePoints(int LineNumber, string? Gtin14, decimal QualifyingAmount, long Points, IReadOnlyList<ListMatch> Matches)
{
    public bool Qualifies => Matches.Count > 0;
}

/// <summary>What an original sale line earned and how much of it earlier returns took back.</summary>
public sealed record ReturnableLine(int LineNumber, decimal Quantity, long Points, decimal ReturnedQuantity, long ReversedPoints);

/// <summary>The reversal of one returned line.</summary>
/// <param name="ReturnedQuantity">Counted against the original line; never more than was bought.</param>
/// <param name="Points">Zero or negative.</param>
/// <param name="OverReturn">The return asked for more than was left to return.</param>
public sealed record LineReversal(int LineNumber, int OriginalLineNumber, decimal ReturnedQuantity, long Points, bool OverReturn);

/// <summary>
/// How points are computed (lists-and-rules.md, "Points rules" and "Returns"). Pure arithmetic: the
/// classification, the member's running total and the original sale are handed in.
/// </summary>
public static class PointsCalculator
{
    public const string ReceiptCapNote = "receipt-cap-applied";
    public const string MemberDailyCapNote = "member-daily-cap-applied";
    public const string OriginalNotFoundNote = "original-not-found";
    public const string OverReturnNote = "over-return";
    public const string WaitingForOriginalNote = "waiting-for-original";
    public const string ReturnAmountCutNote = "return-amount-cut";
    public const string ReturnLineMismatchNote = "return-line-mismatch";

    /// <summary>
    /// Line points = floor(amount × Σ pointsPerYuan of every list the line matches), then the receipt
    /// cap: lines keep their points in line-number order until the cap is reached, the line that
    /// crosses it is cut down and later lines get 0.
    /// </summary>
    public static (IReadOnlyList<LinePoints> Lines, bool Capped) ScoreSale(IEnumerable<ClassifiedLine> lines, PointsRules rules)
    {
        var scored = lines.OrderBy(line => line.LineNumber).Select(line =>
        {
            var rate = line.Matches.Sum(match => rules.Lists.TryGetValue(match.ListId, out var list) ? list.PointsPerYuan : 0m);
            var points = line.Matches.Count == 0 ? 0 : (long)decimal.Floor(line.Amount * rate);
            return new LinePoints(line.LineNumber, line.Gtin14, line.Matches.Count == 0 ? 0m : line.Amount, points, line.Matches);
        }).ToList();

        return CapInLineOrder(scored, rules.MaxPointsPerReceipt);
    }

    /// <summary>
    /// The member daily cap: a member earns at most <c>maxPointsPerMemberPerDay</c> per business date.
    /// <paramref name="earnedThatDay"/> is what the member's other receipts of that date earned already;
    /// the receipt that crosses the cap is cut down in line order.
    /// </summary>
    public static (IReadOnlyList<LinePoints> Lines, bool Capped) ApplyMemberDailyCap(IReadOnlyList<LinePoints> lines, long earnedThatDay, PointsRules rules) =>
        CapInLineOrder(lines, Math.Max(0, rules.MaxPointsPerMemberPerDay - earnedThatDay));

    /// <summary>
    /// The points reversed for a returned line: floor(originalLinePoints × cumulative returned quantity ÷
    /// original quantity) minus what earlier returns of that line reversed already. So a full return
    /// reverses exactly what was awarded, and partial returns never reverse more than that; a return of
    /// more than is left counts only what is left.
    /// </summary>
    public static LineReversal ReverseLine(int lineNumber, decimal returnedQuantity, ReturnableLine original)
    {
        var left = Math.Max(0m, original.Quantity - original.ReturnedQuantity);
        var counted = Math.Min(returnedQuantity, left);
        var cumulative = original.ReturnedQuantity + counted;
        var reversedInTotal = (long)decimal.Floor(original.Points * cumulative / original.Quantity);
        return new LineReversal(lineNumber, original.LineNumber, counted, -(reversedInTotal - original.ReversedPoints), returnedQuantity > left);
    }

    /// <summary>
    /// The most a return may settle for an original line: the original line's amount × cumulative
    /// returned quantity ÷ original quantity, rounded to the fen (half away from zero), less what earlier
    /// returns of that line settled. So the returns of a line never settle more than the line was sold for.
    /// </summary>
    public static decimal ReturnableAmount(decimal originalAmount, decimal originalQuantity, decimal cumulativeReturnedQuantity, decimal amountReturnedBefore)
    {
        var share = Math.Min(cumulativeReturnedQuantity, originalQuantity) / originalQuantity;
        return Math.Max(0m, Math.Round(originalAmount * share, 2, MidpointRounding.AwayFromZero) - amountReturnedBefore);
    }

    private static (IReadOnlyList<LinePoints> Lines, bool Capped) CapInLineOrder(IReadOnlyList<LinePoints> lines, long cap)
    {
        var remaining = cap;
        var capped = false;
        var result = new List<LinePoints>(lines.Count);
        foreach (var line in lines.OrderBy(line => line.LineNumber))
        {
            var kept = Math.Min(line.Points, remaining);
            capped |= kept < line.Points;
            remaining -= kept;
            result.Add(line with { Points = kept });
        }

        return (result, capped);
    }
}
