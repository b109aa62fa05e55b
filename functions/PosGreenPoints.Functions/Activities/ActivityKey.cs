using System.Globalization;
using PosGreenPoints.Contracts;

namespace PosGreenPoints.Functions.Activities;

/// <summary>
/// An activity's natural key (chain, store, terminal, activity id, business date) and the id made from it,
/// <c>act~{chain}~{store}~{yyyyMMdd}~{terminal}~{activityId}</c>. As with receipts, every retry of a post
/// computes the same id, so idempotency is one conditional insert. The leading <c>act</c> part gives the id
/// six parts where a receipt id has five, so the two never meet: not in the scoring queue they share, not
/// as a member's posting marker, not as a lot id.
/// </summary>
public sealed record ActivityKey(string ChainId, string StoreId, DateOnly BusinessDate, string TerminalId, string ActivityNumber)
{
    public const string Prefix = "act";
    private const char Separator = '~';

    public string Id => string.Join(Separator, Prefix, ChainId, StoreId, Date, TerminalId, ActivityNumber);

    /// <summary>One partition per chain, station and business day, as for receipts: a gate's batch shares it, and no partition is hot for long.</summary>
    public string PartitionKey => string.Join(Separator, ChainId, StoreId, Date);

    public string RowKey => string.Join(Separator, TerminalId, ActivityNumber);

    private string Date => BusinessDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="id"/> is an activity id (and not a receipt id).</summary>
    public static bool IsActivityId(string? id) => id?.StartsWith(Prefix + Separator, StringComparison.Ordinal) == true;

    public static bool TryParse(string? id, out ActivityKey key)
    {
        key = null!;
        var parts = id?.Split(Separator);
        if (parts is not { Length: 6 }
            || parts[0] != Prefix
            || !parts.Skip(1).All(Ids.IsId)
            || !DateOnly.TryParseExact(parts[3], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var businessDate))
        {
            return false;
        }

        key = new ActivityKey(parts[1], parts[2], businessDate, parts[4], parts[5]);
        return true;
    }
}
