namespace PosGreenPoints.Contracts.Redemptions;

/// <summary>
/// The body of <c>POST /api/v1/members/{memberId}/codes</c> (201): a member code for the consumer app to
/// show as a QR code. It is shown this once; the scheme keeps only its hash.
/// </summary>
/// <param name="Code">18 random digits; valid until <paramref name="ExpiresAt"/> and for one reservation.</param>
public sealed record MemberCodeIssued(string Code, DateTimeOffset ExpiresAt);
