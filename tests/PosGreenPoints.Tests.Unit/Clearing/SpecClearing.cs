using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Tests.Unit.Clearing;

/// <summary>
/// An independent reading of clearing.md's table, written from the spec, not from the app: what each
/// (issuer, redeemer) pair of chains owes for a set of postings, in fen (an integer, so no rounding can
/// hide), and each chain's informational counts.
/// </summary>
internal static class SpecClearing
{
    /// <summary>Fen owed by the first chain to the second, by pair; a refund subtracts.</summary>
    public static Dictionary<(string Issuer, string Redeemer), long> OwedFen(IEnumerable<StatementEntry> entries)
    {
        var owed = new Dictionary<(string, string), long>();
        foreach (var entry in entries)
        {
            // "a redemption committed at R, taking p points from a lot of I: I owes R p × value"
            // "a refund of it, giving q points back: R owes I q × value (a negative entry I→R)"
            // "a reversal at chain C, or a debt repayment, taking p points from a lot of I ≠ C: I owes C"
            // an operator debit takes like a reversal; expiry, award, own points: nothing.
            int sign;
            if (entry.Kind == "redemption" || entry.Kind == "reversal" || entry.Kind == "debt-repayment" || (entry.Kind == "adjustment" && entry.Points < 0))
            {
                sign = 1;
            }
            else if (entry.Kind == "refund")
            {
                sign = -1;
            }
            else
            {
                continue;
            }

            var fenPerPoint = (long)(entry.YuanPerPoint!.Value * 100);
            foreach (var take in entry.Taken)
            {
                if (take.IssuerChainId == entry.ChainId)
                {
                    continue;
                }

                var key = (take.IssuerChainId, entry.ChainId);
                owed[key] = owed.GetValueOrDefault(key) + (sign * take.Points * fenPerPoint);
            }
        }

        return owed;
    }

    /// <summary>A chain's net in fen: what others owe it less what it owes them.</summary>
    public static long NetFen(Dictionary<(string Issuer, string Redeemer), long> owed, string chainId) =>
        owed.Where(pair => pair.Key.Redeemer == chainId).Sum(pair => pair.Value) - owed.Where(pair => pair.Key.Issuer == chainId).Sum(pair => pair.Value);
}
