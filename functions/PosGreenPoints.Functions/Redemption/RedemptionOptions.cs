using System.ComponentModel.DataAnnotations;

namespace PosGreenPoints.Functions.Redemption;

/// <summary>Settings of redemptions (section <c>Redemptions</c>, redemption.md).</summary>
public sealed class RedemptionOptions
{
    public const string SectionName = "Redemptions";

    /// <summary>How long a member code is valid.</summary>
    [Range(10, 3600)]
    public int CodeSeconds { get; set; } = 120;

    /// <summary>Failed code look-ups one client may make in a minute before 429.</summary>
    [Range(1, 10_000)]
    public int CodeFailuresPerMinute { get; set; } = 20;

    /// <summary>How long a reservation holds its points before it lapses.</summary>
    [Range(1, 24 * 60)]
    public int HoldMinutes { get; set; } = 15;

    public TimeSpan CodeLifetime => TimeSpan.FromSeconds(CodeSeconds);

    public TimeSpan Hold => TimeSpan.FromMinutes(HoldMinutes);
}
