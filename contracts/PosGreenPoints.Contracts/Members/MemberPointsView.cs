namespace PosGreenPoints.Contracts.Members;

/// <summary>The body of <c>GET /api/v1/members/{memberId}/points</c>: a member's points across every chain.</summary>
/// <param name="MemberId">The member asked for.</param>
/// <param name="Balance">Earned minus reversed.</param>
/// <param name="Earned">Every point ever awarded to the member.</param>
/// <param name="Reversed">Every point ever taken back by returns, as a positive number.</param>
/// <param name="UpdatedAt">When the last posting reached the balance; absent for a member with no postings yet.</param>
public sealed record MemberPointsView(string MemberId, long Balance, long Earned, long Reversed, DateTimeOffset? UpdatedAt);
