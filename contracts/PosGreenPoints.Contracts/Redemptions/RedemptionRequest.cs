namespace PosGreenPoints.Contracts.Redemptions;

/// <summary>
/// The body of <c>POST /api/v1/redemptions</c>: hold (and with <paramref name="Commit"/> spend) a member's
/// available points at a till or gate (redemption.md).
/// </summary>
/// <param name="RedemptionId">1–64 chars of [A-Za-z0-9._-], unique within the chain: the idempotency key.</param>
/// <param name="MemberCode">The code the member presents; <c>operator</c> keys may give <paramref name="MemberId"/> instead.</param>
/// <param name="MemberId">Operators only, instead of a code, with a <paramref name="Reason"/> (service desk).</param>
/// <param name="Points">1 … the rules' <c>maxPointsPerRedemption</c>.</param>
/// <param name="Purpose"><c>discount</c> (商品折扣) or <c>service</c> (服务优惠).</param>
/// <param name="Commit">True: reserve and commit in one call (a gate or kiosk with no separate completion).</param>
/// <param name="Reason">The audit note of an operator's redemption by member id (1–200 chars).</param>
public sealed record RedemptionRequest(
    string? ChainId,
    string? StoreId,
    string? TerminalId,
    string? RedemptionId,
    string? MemberCode,
    string? MemberId,
    long? Points,
    string? Purpose,
    bool? Commit,
    string? Reason);

/// <summary>The purposes of a redemption.</summary>
public static class RedemptionPurposes
{
    public const string Discount = "discount";
    public const string Service = "service";
}

/// <summary>The states of a redemption.</summary>
public static class RedemptionStatuses
{
    public const string Reserved = "reserved";
    public const string Committed = "committed";
    public const string Cancelled = "cancelled";
    public const string Lapsed = "lapsed";
}

/// <summary>The optional body of <c>POST …/commit</c>: the sale that carried the discount.</summary>
public sealed record CommitRequest(RedemptionReceipt? Receipt);

/// <param name="IssuedAt">RFC 3339 with an offset.</param>
public sealed record RedemptionReceipt(string? StoreId, string? TerminalId, string? ReceiptNumber, DateTimeOffset? IssuedAt);

/// <summary>The body of <c>POST …/refunds</c>: points given back when goods paid for partly with points are returned.</summary>
/// <param name="RefundId">1–64 chars of [A-Za-z0-9._-], unique within its redemption: the idempotency key.</param>
public sealed record RefundRequest(string? RefundId, long? Points);
