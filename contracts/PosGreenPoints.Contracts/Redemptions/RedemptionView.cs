namespace PosGreenPoints.Contracts.Redemptions;

/// <summary>
/// A redemption as the API answers it (reserve, commit, cancel, read). <c>value</c> = <c>points</c> ×
/// <c>yuanPerPoint</c>, exact to the fen, with the value and rules version of the reservation.
/// </summary>
/// <param name="Status"><c>reserved</c>, <c>committed</c>, <c>cancelled</c> or <c>lapsed</c>.</param>
/// <param name="Value">Yuan, two decimals, as a string ("5.00").</param>
/// <param name="YuanPerPoint">As recorded with the reservation ("0.01").</param>
/// <param name="ReservedUntil">When an uncommitted reservation lapses.</param>
/// <param name="Refunded">Points given back by refunds.</param>
/// <param name="Sources">Whose points were held or spent: points per issuing chain.</param>
/// <param name="Duplicate">True when this answers a repeat of an earlier request with the same id and content.</param>
public sealed record RedemptionView(
    string RedemptionId,
    string ChainId,
    string MemberId,
    string StoreId,
    string TerminalId,
    string Status,
    string Purpose,
    long Points,
    string Value,
    string YuanPerPoint,
    string RulesVersion,
    DateTimeOffset ReservedAt,
    DateTimeOffset ReservedUntil,
    DateTimeOffset? CommittedAt,
    long Refunded,
    IReadOnlyList<RedemptionSourceView> Sources,
    string StatusUrl,
    bool? Duplicate = null);

public sealed record RedemptionSourceView(string IssuerChainId, long Points);

/// <summary>The answer to a refund (201, or 200 for a repeat).</summary>
/// <param name="Points">Points given back by this refund.</param>
/// <param name="Redemption">The redemption after it.</param>
public sealed record RefundView(string RefundId, long Points, DateTimeOffset RefundedAt, RedemptionView Redemption, bool? Duplicate = null);
