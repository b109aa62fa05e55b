namespace PosGreenPoints.Contracts.Members;

/// <summary>The body of <c>GET /api/v1/members/{memberId}/lots</c>: the lots with points remaining, pending and available, oldest expiry first.</summary>
public sealed record LotsView(string MemberId, IReadOnlyList<LotView> Lots);

/// <summary>Points of one award.</summary>
/// <param name="LotId">The receipt, activity or adjustment id that earned the lot; absent on another chain's lot for a <c>pos</c> or <c>chain</c> caller.</param>
/// <param name="IssuerChainId">The chain that issued the points and is liable for them.</param>
/// <param name="Remaining">Points not yet reversed, redeemed or expired (held ones included).</param>
/// <param name="Reserved">Of <c>remaining</c>, the points open reservations hold.</param>
/// <param name="AvailableAt">From when the points can be redeemed.</param>
/// <param name="ExpiresAt">When what is left of the lot expires.</param>
/// <param name="Status"><c>pending</c> or <c>available</c>.</param>
public sealed record LotView(
    string? LotId,
    string IssuerChainId,
    long Points,
    long Remaining,
    long Reserved,
    DateTimeOffset EarnedAt,
    DateTimeOffset AvailableAt,
    DateTimeOffset ExpiresAt,
    string Status);
