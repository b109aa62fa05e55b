using System.ComponentModel.DataAnnotations;

namespace PosGreenPoints.Functions.Points;

/// <summary>Settings of scoring (section <c>Scoring</c>).</summary>
public sealed class ScoringOptions
{
    public const string SectionName = "Scoring";

    /// <summary>
    /// A scoring message naming a receipt that is not stored this long after the message was sent is
    /// an orphan (its post failed between queueing and storing, and was never acknowledged); before
    /// that, the receipt may still be on its way and the message is tried again.
    /// </summary>
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Receipts of one message scored at once.</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 8;
}
