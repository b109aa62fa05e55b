namespace PosGreenPoints.Contracts.Members;

/// <summary>
/// The body of <c>GET /api/v1/members/{memberId}/points</c>: a member's points across every chain, read
/// at one instant. Always <c>balance</c> = <c>earned</c> − <c>reversed</c> − <c>redeemed</c> − <c>expired</c>
/// = <c>available</c> + <c>pending</c> + <c>reserved</c> − <c>debt</c>.
/// </summary>
/// <param name="MemberId">The member asked for.</param>
/// <param name="Balance">The member's points: what the statement's entries sum to.</param>
/// <param name="Available">Points that can be redeemed now.</param>
/// <param name="Pending">Points awarded but not spendable yet (the return period); a return can still take them back.</param>
/// <param name="Reserved">Points held by open reservations.</param>
/// <param name="Debt">Points returns took back that the member no longer had; repaid first by later awards.</param>
/// <param name="Earned">Every point ever awarded to the member.</param>
/// <param name="Reversed">Every point ever taken back by returns, as a positive number.</param>
/// <param name="Redeemed">Points spent by committed redemptions, less their refunds.</param>
/// <param name="Expired">Points past their expiry, whether or not the expiry timer has run yet.</param>
/// <param name="NextExpiry">The points that expire next and when; absent when nothing will.</param>
/// <param name="UpdatedAt">When the last posting reached the wallet.</param>
public sealed record MemberPointsView(
    string MemberId,
    long Balance,
    long Available,
    long Pending,
    long Reserved,
    long Debt,
    long Earned,
    long Reversed,
    long Redeemed,
    long Expired,
    NextExpiryView? NextExpiry,
    DateTimeOffset? UpdatedAt);

/// <param name="ExpiresAt">The end of a calendar month in the scheme's time zone, in UTC.</param>
public sealed record NextExpiryView(long Points, DateTimeOffset ExpiresAt);
