namespace PosGreenPoints.Contracts.Admin;

/// <summary>A registered chain, as <c>PUT /api/v1/admin/chains/{chainId}</c> answers it.</summary>
/// <param name="TimeZone">The IANA time zone id in force.</param>
/// <param name="Kind">One of <see cref="ChainKinds"/>.</param>
public sealed record ChainView(string ChainId, string Name, string TimeZone, string Kind);
