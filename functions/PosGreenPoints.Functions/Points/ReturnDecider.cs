using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Points;

/// <summary>What deciding a return came to: its decision, and what its sale's returns have taken back with it.</summary>
public sealed record ReturnDecision(ScoringDecision Decision, ReturnsState SaleReturns);

/// <summary>
/// How a return is decided against its sale (lists-and-rules.md, "Returns"): each line reverses its share
/// of the original line's points (<see cref="PointsCalculator.ReverseLine"/>), settles under the original's
/// GTIN for at most its share of the original's amount, and counts against what earlier returns of the
/// sale took. Pure: the caller reads the sale, and writes the new <see cref="ReturnsState"/> under the
/// sale's ETag, deciding again if another return got in first.
/// </summary>
public static class ReturnDecider
{
    /// <param name="awardedPoints">The sale's final points per line (after the member daily cap).</param>
    /// <param name="earlier">What returns of the sale took back so far, and their decisions.</param>
    public static ReturnDecision Decide(
        string returnReceiptId,
        ValidatedReceipt receipt,
        ScoringDecision saleDecision,
        IReadOnlyDictionary<int, long> awardedPoints,
        ReturnsState earlier,
        DateOnly postingDate,
        DateTimeOffset now,
        string rulesVersion)
    {
        var returned = earlier.Lines.ToDictionary(pair => pair.Key, pair => pair.Value);
        var notes = new List<string>();
        var lines = new List<DecidedLine>();
        foreach (var line in receipt.Lines)
        {
            var originalLine = saleDecision.Lines.FirstOrDefault(candidate => candidate.LineNumber == line.OriginalLineNumber);
            if (originalLine is not { Qualifies: true })
            {
                lines.Add(new DecidedLine(line.LineNumber, line.Gtin14, line.Quantity, 0m, 0, []));
                continue;
            }

            var before = returned.GetValueOrDefault(originalLine.LineNumber, new ReturnedLine(0m, 0));
            var reversal = PointsCalculator.ReverseLine(line.LineNumber,
                line.Quantity,
                new ReturnableLine(originalLine.LineNumber, originalLine.Quantity, awardedPoints.GetValueOrDefault(originalLine.LineNumber), before.Quantity, before.ReversedPoints));
            AddNote(notes, reversal.OverReturn, PointsCalculator.OverReturnNote);

            // The return line is the original line coming back: it settles under the original's GTIN
            // and for at most its share of the original's amount, whatever the till sent.
            var settled = Math.Min(line.Amount, PointsCalculator.ReturnableAmount(
                originalLine.QualifyingAmount, originalLine.Quantity, before.Quantity + reversal.ReturnedQuantity, before.Amount));
            AddNote(notes, settled < line.Amount, PointsCalculator.ReturnAmountCutNote);
            AddNote(notes, line.Gtin14 != originalLine.Gtin14, PointsCalculator.ReturnLineMismatchNote);
            returned[originalLine.LineNumber] = new ReturnedLine(before.Quantity + reversal.ReturnedQuantity, before.ReversedPoints - reversal.Points, before.Amount + settled);
            lines.Add(new DecidedLine(line.LineNumber, originalLine.Gtin14, reversal.ReturnedQuantity, -settled, reversal.Points, originalLine.Matches));
        }

        var decision = new ScoringDecision(postingDate, now, rulesVersion, saleDecision.MemberId, lines, notes);
        var decisions = earlier.Decisions.ToDictionary(pair => pair.Key, pair => pair.Value);
        decisions[returnReceiptId] = decision;
        return new ReturnDecision(decision, new ReturnsState(returned, decisions));
    }

    private static void AddNote(List<string> notes, bool applies, string note)
    {
        if (applies && !notes.Contains(note))
        {
            notes.Add(note);
        }
    }
}
