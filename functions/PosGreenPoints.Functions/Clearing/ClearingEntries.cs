using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Clearing;

/// <summary>The <c>kind</c> column of a clearing file (clearing.md, "Files").</summary>
public static class ClearingKinds
{
    public const string Redemption = "redemption";
    public const string Refund = "refund";

    /// <summary>A reversal or a debt repayment (or an operator's debit) that took points of another chain's lot.</summary>
    public const string Clawback = "clawback";
}

/// <summary>
/// One movement of value between two chains (clearing.md, "The rule"): <see cref="IssuerChainId"/> owes
/// <see cref="RedeemerChainId"/> <see cref="Amount"/>. A refund is a negative entry of the redemption's
/// direction: its <see cref="Points"/> and <see cref="Amount"/> are negative.
/// </summary>
/// <param name="RedeemerChainId">The chain the value goes to: where points were redeemed, or the chain of the return or debt.</param>
/// <param name="Reference">The redemption, refund, receipt (return) or adjustment id.</param>
/// <param name="LotId">The lot the points came from or went back to.</param>
/// <param name="Points">Signed: positive when the issuer owes, negative for a refund.</param>
/// <param name="Amount"><see cref="Points"/> × <see cref="YuanPerPoint"/>, exact to the fen (the value has at most two decimals).</param>
public sealed record ClearingEntry(
    DateTimeOffset PostedAt,
    string IssuerChainId,
    string RedeemerChainId,
    string Kind,
    string Reference,
    string LotId,
    string? StoreId,
    string? TerminalId,
    string MemberId,
    long Points,
    decimal YuanPerPoint,
    decimal Amount);

/// <summary>
/// What a posting did to one chain's points, informational (no money moves): a manifest's
/// <c>pointsIssued</c>, <c>pointsRedeemedHere</c>, <c>pointsExpired</c>, and the change of the chain's
/// liability (the <c>remaining</c> of the lots it issued).
/// </summary>
/// <param name="Issued">Points of lots this chain issued: awards and operator credits.</param>
/// <param name="RedeemedHere">Points redeemed at this chain (of any issuer), less those refunded here.</param>
/// <param name="Expired">Points of this chain's lots that expired.</param>
/// <param name="Outstanding">The change of the remaining points of this chain's lots.</param>
public sealed record ChainMovement(string ChainId, long Issued, long RedeemedHere, long Expired, long Outstanding);

/// <summary>
/// The pure mapping of posting-log entries (a member's statement entries, <see cref="StatementEntry"/>) to
/// clearing entries and chain movements, row by row of clearing.md's table:
/// <list type="table">
/// <item><term><c>redemption</c> at R</term><description>per lot of I ≠ R taken: I owes R p × the redemption's value</description></item>
/// <item><term><c>refund</c> at R</term><description>per lot of I ≠ R given back to: a negative entry I → R of q × the redemption's value</description></item>
/// <item><term><c>reversal</c> at C</term><description>per lot of I ≠ C taken: a clawback, I owes C p × the value recorded with the entry (the rules' value when posted)</description></item>
/// <item><term><c>debt-repayment</c> to C</term><description>per lot of I ≠ C taken: a clawback, as a reversal</description></item>
/// <item><term><c>adjustment</c></term><description>a credit is a lot issued by its chain; a debit's takes from lots of I ≠ its chain are clawbacks</description></item>
/// <item><term><c>award</c>, <c>expiry</c>; own points</term><description>no money moves: counts only</description></item>
/// </list>
/// </summary>
public static class ClearingMapping
{
    /// <summary>The clearing entries of one posting-log entry of <paramref name="memberId"/>, in the order of its takes.</summary>
    /// <exception cref="InvalidDataException">An entry that moves money carries no value of a point.</exception>
    public static IEnumerable<ClearingEntry> Entries(string memberId, StatementEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var (kind, sign) = entry.Kind switch
        {
            EntryKinds.Redemption => (ClearingKinds.Redemption, 1),
            EntryKinds.Refund => (ClearingKinds.Refund, -1),
            EntryKinds.Reversal or EntryKinds.DebtRepayment => (ClearingKinds.Clawback, 1),
            // A credit takes nothing; a debit's takes are as a reversal's.
            EntryKinds.Adjustment when entry.Points < 0 => (ClearingKinds.Clawback, 1),
            _ => (null, 0),
        };
        if (kind is null)
        {
            yield break;
        }

        foreach (var take in entry.Taken)
        {
            if (take.Points == 0 || string.Equals(take.IssuerChainId, entry.ChainId, StringComparison.Ordinal))
            {
                continue;
            }

            var value = entry.YuanPerPoint
                ?? throw new InvalidDataException($"A {entry.Kind} entry ({entry.Reference}) of {entry.PostedAt:O} takes points of another chain and records no value of a point.");
            var points = sign * take.Points;
            yield return new ClearingEntry(
                entry.PostedAt, take.IssuerChainId, entry.ChainId, kind, entry.Reference, take.LotId,
                entry.StoreId, entry.TerminalId, memberId, points, value, points * value);
        }
    }

    /// <summary>What one posting-log entry did to each chain's counts and liability; chains it did not touch are absent.</summary>
    public static IEnumerable<ChainMovement> Movements(StatementEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        switch (entry.Kind)
        {
            case EntryKinds.Award:
                // The lot starts at points less what its debt repayments take (each of those is a take below).
                yield return new ChainMovement(entry.ChainId, entry.Points, 0, 0, entry.Points);
                break;
            case EntryKinds.Adjustment when entry.Points > 0:
                yield return new ChainMovement(entry.ChainId, entry.Points, 0, 0, entry.Points);
                break;
            case EntryKinds.Expiry:
                foreach (var take in entry.Taken)
                {
                    yield return new ChainMovement(take.IssuerChainId, 0, 0, take.Points, -take.Points);
                }

                break;
            case EntryKinds.Redemption:
                foreach (var take in entry.Taken)
                {
                    yield return new ChainMovement(entry.ChainId, 0, take.Points, 0, 0);
                    yield return new ChainMovement(take.IssuerChainId, 0, 0, 0, -take.Points);
                }

                break;
            case EntryKinds.Refund:
                foreach (var take in entry.Taken)
                {
                    yield return new ChainMovement(entry.ChainId, 0, -take.Points, 0, 0);
                    yield return new ChainMovement(take.IssuerChainId, 0, 0, 0, take.Points);
                }

                break;
            case EntryKinds.Reversal or EntryKinds.DebtRepayment or EntryKinds.Adjustment:
                foreach (var take in entry.Taken)
                {
                    yield return new ChainMovement(take.IssuerChainId, 0, 0, 0, -take.Points);
                }

                break;
        }
    }
}
