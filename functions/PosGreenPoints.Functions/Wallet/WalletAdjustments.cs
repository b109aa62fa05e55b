namespace PosGreenPoints.Functions.Wallet;

/// <summary>
/// An operator adjustment (activities.md, "Operator adjustments") as a wallet change, by the
/// <see cref="WalletDecider"/>'s rules: a credit is an award whose lot is issued by the adjustment's chain
/// and available at once (it repays debt first, like any award); a debit is a reversal with no original
/// lot (lots in the reversal order, then debt). Either way the statement entry is of kind
/// <c>adjustment</c> with the reason as its note. Pure.
/// </summary>
public static class WalletAdjustments
{
    public static WalletChange Adjust(WalletState state, string adjustmentId, string chainId, long points, string reason, DateTimeOffset now, WalletRules rules)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (points == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(points), "An adjustment is never 0 points.");
        }

        if (points > 0)
        {
            var award = WalletDecider.Award(state, adjustmentId, chainId, points, now, TimeSpan.Zero, rules);
            return award with { Entries = [award.Entries[0] with { Kind = EntryKinds.Adjustment, Note = reason }, .. award.Entries.Skip(1)] };
        }

        var reversal = WalletDecider.Reverse(state, adjustmentId, chainId, -points, originalLotId: null, now);
        var entry = reversal.Entries[0];
        return reversal with { Entries = [entry with { Kind = EntryKinds.Adjustment, Note = entry.Note is { } debt ? $"{reason} ({debt})" : reason }] };
    }
}
