namespace PosGreenPoints.Contracts.Activities;

/// <summary>The body of <c>POST /api/v1/admin/members/{memberId}/adjustments</c>: an operator's credit or correction.</summary>
/// <param name="AdjustmentId">The operator's id of the adjustment (an id: 1–64 of <c>[A-Za-z0-9._-]</c>); a repost with the same content changes nothing.</param>
/// <param name="ChainId">A registered chain: the issuer of a credit's lot, the chain of a debit.</param>
/// <param name="Points">Not 0: a credit (a lot available at once) when positive, a correction taken as a reversal when negative.</param>
/// <param name="Reason">1–200 characters, kept on the member's statement.</param>
public sealed record AdjustmentRequest(string AdjustmentId, string ChainId, long Points, string Reason);

/// <summary>The answer to an adjustment: 201 when posted, 200 with <c>duplicate: true</c> for a repost.</summary>
/// <param name="Balance">The member's balance right after the adjustment (or now, for a duplicate).</param>
public sealed record AdjustmentResult(string AdjustmentId, string MemberId, string ChainId, long Points, string Reason, DateTimeOffset PostedAt, long Balance, bool? Duplicate = null);
