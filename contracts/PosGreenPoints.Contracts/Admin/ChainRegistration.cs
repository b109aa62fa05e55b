namespace PosGreenPoints.Contracts.Admin;

/// <summary>The body of <c>PUT /api/v1/admin/chains/{chainId}</c>.</summary>
/// <param name="Name">The chain's display name, 1–200 characters.</param>
/// <param name="TimeZone">An IANA time zone id; absent means <c>Asia/Shanghai</c>. It decides the business date of the chain's receipts.</param>
public sealed record ChainRegistration(string Name, string? TimeZone = null);
