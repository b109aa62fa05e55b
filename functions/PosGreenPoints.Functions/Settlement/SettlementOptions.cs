using System.ComponentModel.DataAnnotations;

namespace PosGreenPoints.Functions.Settlement;

/// <summary>Settings of daily settlement (section <c>Settlement</c>).</summary>
public sealed class SettlementOptions
{
    public const string SectionName = "Settlement";

    /// <summary>
    /// The app setting holding the timer's NCrontab schedule (UTC). A top-level name, not
    /// <c>Settlement:Schedule</c>: the Functions host resolves <c>%…%</c> from its app settings, where a
    /// section separator would have to be spelled <c>__</c>.
    /// </summary>
    public const string ScheduleSetting = "SettlementSchedule";

    /// <summary>
    /// The key of the member pseudonym (<c>member_ref</c>). In Azure a Key Vault reference. Changing it
    /// changes every pseudonym from then on, so it is rotated only with the chains' consent.
    /// </summary>
    [Required]
    [MinLength(32)]
    public string HmacKey { get; set; } = "";

    /// <summary>
    /// The settlement grace period: a day is settled only this long after it ended in the chain's zone
    /// (settlement.md), so a posting being written at midnight lands before its day is read.
    /// </summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How many days before today the timer looks back for a day that has no settlement yet.</summary>
    [Range(1, 92)]
    public int CatchUpDays { get; set; } = 7;
}
