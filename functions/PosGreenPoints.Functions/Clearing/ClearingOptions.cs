using System.ComponentModel.DataAnnotations;

namespace PosGreenPoints.Functions.Clearing;

/// <summary>Settings of clearing between chains (section <c>Clearing</c>).</summary>
public sealed class ClearingOptions : IValidatableObject
{
    public const string SectionName = "Clearing";

    /// <summary>The app setting holding the timer's NCrontab schedule (UTC), a top-level name like <c>SettlementSchedule</c>.</summary>
    public const string ScheduleSetting = "ClearingSchedule";

    /// <summary>The scheme's one clearing zone (an IANA id): an entry's clearing date is its posting instant here.</summary>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>A day is cleared only this long after it ended in <see cref="TimeZone"/>, as settlement waits, so a posting being written at midnight lands before its day is read.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How many days before today the timer looks back for a day that is not cleared yet.</summary>
    [Range(1, 92)]
    public int CatchUpDays { get; set; } = 7;

    /// <summary>
    /// File rows sorted in memory before a sorted run is spilled to a temporary file: about 30 MB at the
    /// default, so a day of any size is sorted in flat memory.
    /// </summary>
    [Range(2, 10_000_000)]
    public int SortChunkRows { get; set; } = 100_000;

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return new ValidationResult($"Clearing:TimeZone '{TimeZone}' is not a time zone of this system.", [nameof(TimeZone)]);
        }

        if (Grace < TimeSpan.Zero || Grace > TimeSpan.FromHours(12))
        {
            yield return new ValidationResult("Clearing:Grace must be 0 to 12 hours.", [nameof(Grace)]);
        }
    }
}
