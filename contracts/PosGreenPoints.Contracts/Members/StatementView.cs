namespace PosGreenPoints.Contracts.Members;

/// <summary>
/// The body of <c>GET /api/v1/members/{memberId}/statement</c>: the member's postings, newest first, at
/// most <see cref="MaxEntriesPerPage"/> a page. Every posting that changed the balance is there once; the
/// entries of a member sum to its balance.
/// </summary>
/// <param name="Continuation">Pass as <c>continuation</c> for the next page; absent on the last page.</param>
public sealed record StatementView(IReadOnlyList<StatementEntryView> Entries, string? Continuation)
{
    public const int MaxEntriesPerPage = 100;
}

/// <summary>One posting. Entries of a chain outside a <c>pos</c> or <c>chain</c> caller's scope show only <c>kind</c>, <c>points</c>, <c>postedAt</c> and <c>chainId</c>.</summary>
/// <param name="Kind">One of <see cref="StatementKinds"/>.</param>
/// <param name="Points">What the posting changed the balance by: positive for an award or refund, negative for a reversal, redemption or expiry, 0 for a debt repayment (the award it came from counted).</param>
/// <param name="ChainId">Award and expiry: the chain that issued the lot; reversal: the return's chain; debt repayment: the chain of the return that left the debt.</param>
/// <param name="Reference">The receipt, activity, redemption or adjustment id of the posting.</param>
/// <param name="LotId">The lot concerned: the award's own lot, the expired lot, the sale's lot of a reversal.</param>
/// <param name="Note">Why, where it is not obvious: debt left or repaid.</param>
public sealed record StatementEntryView(
    DateTimeOffset PostedAt,
    string Kind,
    long Points,
    string ChainId,
    string? Reference = null,
    string? LotId = null,
    string? Note = null);

/// <summary>The kinds of statement entries.</summary>
public static class StatementKinds
{
    public const string Award = "award";
    public const string Reversal = "reversal";
    public const string Redemption = "redemption";
    public const string Refund = "refund";
    public const string Expiry = "expiry";
    public const string Adjustment = "adjustment";
    public const string DebtRepayment = "debt-repayment";
}
