namespace PosGreenPoints.Functions.Admin;

/// <summary>
/// Days in a chain's time zone: a receipt's business date, a posting's settlement day, "today" and
/// when a day ends. One place, because a receipt id, a ledger partition and a settlement file must all
/// agree on which day an instant belongs to.
/// </summary>
public static class ChainCalendar
{
    /// <summary>The date an instant falls on in <paramref name="timeZone"/>.</summary>
    public static DateOnly DateOf(DateTimeOffset instant, TimeZoneInfo timeZone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, timeZone).DateTime);

    public static DateOnly Today(TimeProvider clock, TimeZoneInfo timeZone) => DateOf(clock.GetUtcNow(), timeZone);

    /// <summary>The first instant after <paramref name="day"/> in <paramref name="timeZone"/> (the next local midnight).</summary>
    /// <remarks>The last days a <see cref="DateOnly"/> holds end past what a <see cref="DateTimeOffset"/> holds: those end at its maximum.</remarks>
    public static DateTimeOffset EndOf(DateOnly day, TimeZoneInfo timeZone)
    {
        if (day >= DateOnly.MaxValue.AddDays(-1))
        {
            return DateTimeOffset.MaxValue;
        }

        var localMidnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(localMidnight, timeZone.GetUtcOffset(localMidnight));
    }

    /// <summary><see cref="EndOf"/> plus <paramref name="delay"/>, held at the maximum rather than overflowing.</summary>
    public static DateTimeOffset EndOf(DateOnly day, TimeZoneInfo timeZone, TimeSpan delay)
    {
        var end = EndOf(day, timeZone);
        return end > DateTimeOffset.MaxValue - delay ? DateTimeOffset.MaxValue : end + delay;
    }
}
