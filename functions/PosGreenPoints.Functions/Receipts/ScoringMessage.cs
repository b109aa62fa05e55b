namespace PosGreenPoints.Functions.Receipts;

/// <summary>
/// The queue message that asks for receipts to be scored: one per post or per batch. A receipt is
/// scored from the message whose id its stored entity names; the message may also list receipts that
/// turned out to be duplicates, which the scorer skips.
/// </summary>
public sealed record ScoringMessage(IReadOnlyList<string> ReceiptIds);
