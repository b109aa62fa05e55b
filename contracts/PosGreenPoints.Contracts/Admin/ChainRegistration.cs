namespace PosGreenPoints.Contracts.Admin;

/// <summary>The body of <c>PUT /api/v1/admin/chains/{chainId}</c>.</summary>
/// <param name="Name">The chain's display name, 1–200 characters.</param>
/// <param name="TimeZone">An IANA time zone id; absent means <c>Asia/Shanghai</c>. It decides the business date of the chain's receipts and activities.</param>
/// <param name="Kind">One of <see cref="ChainKinds"/>; absent means <c>retail</c>. A retail chain posts receipts (and may post activities), a service chain activities only.</param>
public sealed record ChainRegistration(string Name, string? TimeZone = null, string? Kind = null);

/// <summary>The kinds of chain of the wire (activities.md, "Chains of two kinds").</summary>
public static class ChainKinds
{
    /// <summary>A retailer: posts receipts, and may post activities (a trade-in at a store).</summary>
    public const string Retail = "retail";

    /// <summary>A low-carbon service or public-service partner (transit, bike share, recycling, venues): posts activities.</summary>
    public const string Service = "service";
}
