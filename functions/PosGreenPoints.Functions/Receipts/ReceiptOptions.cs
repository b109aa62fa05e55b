using System.ComponentModel.DataAnnotations;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>Settings of receipt intake (section <c>Receipts</c>).</summary>
public sealed class ReceiptOptions
{
    public const string SectionName = "Receipts";

    /// <summary>How many days back a receipt may be dated (api.md: default 30).</summary>
    [Range(1, 3650)]
    public int MaxAgeDays { get; set; } = ReceiptValidationContext.DefaultMaxAgeDays;
}
