namespace PosGreenPoints.Functions.Receipts;

/// <summary>
/// The queue message that asks for receipts to be scored: one per post or per batch. A receipt is
/// scored from the message whose id its stored entity names; the message may also list receipts that
/// turned out to be duplicates, which the scorer skips.
/// </summary>
/// <param name="Traceparent">
/// The W3C trace context of the post that sent it, so that one trace follows a receipt across the
/// queue; absent when nothing was traced, and in messages sent before it existed.
/// </param>
/// <param name="OwnerMessageId">
/// Set on a message sent again for receipts that were not stored yet when the first one came: the id
/// of that first message, which the receipts' entities name as their owner.
/// </param>
/// <param name="FirstSentAt">With <paramref name="OwnerMessageId"/>: when the first message was sent, from which a receipt that never comes is an orphan.</param>
public sealed record ScoringMessage(IReadOnlyList<string> ReceiptIds, string? Traceparent = null, string? OwnerMessageId = null, DateTimeOffset? FirstSentAt = null);
