using System.Globalization;
using System.Text.Json.Serialization;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>
/// The <c>wallet</c> section of the points rules (wallet.md): when points become spendable, when they
/// expire and what one is worth. Versioned with the rest of the rules.
/// </summary>
/// <param name="TimeZone">The scheme's zone (an IANA id), in which months end for expiry.</param>
/// <param name="PendingDays">Days from the award until a receipt's points can be redeemed (the return period).</param>
/// <param name="ValidityMonths">Whole calendar months after the month of the award, at whose end the points expire.</param>
/// <param name="YuanPerPoint">What one point buys, at most 2 decimals so every value is exact to the fen; a string in the file ("0.01"), as wallet.md writes it, or a number.</param>
public sealed record WalletRules(
    string TimeZone = "Asia/Shanghai",
    int PendingDays = 7,
    int ValidityMonths = 24,
    [property: JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)] decimal YuanPerPoint = 0.01m,
    long MaxPointsPerRedemption = 100_000)
{
    public static WalletRules Default { get; } = new();

    [JsonIgnore]
    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    [JsonIgnore]
    public TimeSpan PendingPeriod => TimeSpan.FromDays(PendingDays);

    /// <summary>
    /// The end of the calendar month, in the scheme zone, <see cref="ValidityMonths"/> after the month of
    /// <paramref name="earnedAt"/>: earned 2026-03-15 with 24 months → 2028-04-01T00:00 in the zone.
    /// </summary>
    public DateTimeOffset ExpiresAt(DateTimeOffset earnedAt)
    {
        var zone = Zone;
        var local = TimeZoneInfo.ConvertTime(earnedAt, zone);
        var firstOfMonthAfter = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(ValidityMonths + 1);
        return LocalInstant(firstOfMonthAfter, zone);
    }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            errors.Add($"wallet.timeZone '{TimeZone}' is not a time zone of this system.");
        }

        if (PendingDays is < 0 or > 366)
        {
            errors.Add("wallet.pendingDays must be 0–366.");
        }

        if (ValidityMonths is < 1 or > 120)
        {
            errors.Add("wallet.validityMonths must be 1–120.");
        }

        if (YuanPerPoint <= 0 || decimal.Round(YuanPerPoint, 2) != YuanPerPoint)
        {
            errors.Add("wallet.yuanPerPoint must be more than 0 with at most 2 decimals.");
        }

        if (MaxPointsPerRedemption <= 0)
        {
            errors.Add("wallet.maxPointsPerRedemption must be more than zero.");
        }

        return errors;
    }

    /// <summary>A local wall-clock time as an instant; a time skipped by a clock change moves forward to the first that exists.</summary>
    private static DateTimeOffset LocalInstant(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"wallet {TimeZone} pending {PendingDays} d, valid {ValidityMonths} months");
}
