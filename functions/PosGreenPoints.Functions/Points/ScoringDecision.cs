using PosGreenPoints.Functions.Classification;

namespace PosGreenPoints.Functions.Points;

/// <summary>
/// What scoring decided for one receipt, written once to the receipt (or, for a return, to its
/// original sale) before anything is posted. A redelivered message or a second scorer reads it back
/// instead of deciding again, so the list versions, the caps and the posting date never change between
/// attempts.
/// </summary>
/// <param name="PostingDate">The ledger day the postings belong to, in the chain's time zone.</param>
/// <param name="MemberId">Whose balance the points go to: the sale's member, or for a return the original sale's member.</param>
/// <param name="Lines">Every line of the receipt: qualifying lines carry matches; points are before the member daily cap.</param>
public sealed record ScoringDecision(
    DateOnly PostingDate,
    DateTimeOffset DecidedAt,
    string RulesVersion,
    string? MemberId,
    IReadOnlyList<DecidedLine> Lines,
    IReadOnlyList<string> Notes);

/// <param name="Quantity">The line's quantity (on a return: the quantity counted against the original line).</param>
/// <param name="QualifyingAmount">Signed: negative on a return.</param>
/// <param name="Points">Signed: negative on a return.</param>
public sealed record DecidedLine(
    int LineNumber,
    string? Gtin14,
    decimal Quantity,
    decimal QualifyingAmount,
    long Points,
    IReadOnlyList<ListMatch> Matches)
{
    public bool Qualifies => Matches.Count > 0;
}

/// <summary>What returns took back from one original sale: kept on the sale, so that concurrent returns of it see each other.</summary>
/// <param name="Lines">Per original line number: quantity returned and points reversed so far.</param>
/// <param name="Decisions">Per return receipt id: the decision made for it.</param>
public sealed record ReturnsState(
    IReadOnlyDictionary<int, ReturnedLine> Lines,
    IReadOnlyDictionary<string, ScoringDecision> Decisions)
{
    public static ReturnsState None { get; } = new(new Dictionary<int, ReturnedLine>(), new Dictionary<string, ScoringDecision>());
}

/// <param name="Amount">What the returns settled for the line so far (absent in state written before it was kept: 0).</param>
public sealed record ReturnedLine(decimal Quantity, long ReversedPoints, decimal Amount = 0m);
