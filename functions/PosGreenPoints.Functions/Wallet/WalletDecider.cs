namespace PosGreenPoints.Functions.Wallet;

/// <summary>
/// How a member's wallet changes (wallet.md): awards create lots and repay debt, reversals take from lots
/// in the spec's order and leave debt, expiry takes what is past its date. Pure: state and instant in,
/// new state and statement entries out; the store writes them in one transaction.
/// <list type="bullet">
/// <item><b>Redemption order</b>: available points only, by <c>expiresAt</c>, then <c>earnedAt</c>, then <c>lotId</c>.</item>
/// <item><b>Reversal order</b>: the sale's own lot (pending or available), then the other lots in the
/// redemption order, available before pending; never reserved points; the rest is debt.</item>
/// <item><b>Debt</b> is repaid first, oldest first, from points that become free (a later award).</item>
/// <item><b>Expiry</b>: a lot's free points are expired from its <c>expiresAt</c> on, for every purpose,
/// whether or not the expiry was made durable yet; reserved points expire when their hold is released.</item>
/// </list>
/// </summary>
public static class WalletDecider
{
    /// <summary>An award of <paramref name="points"/> (> 0): repays debt first, the rest is a new lot.</summary>
    public static WalletChange Award(WalletState state, string lotId, string issuerChainId, long points, DateTimeOffset now, TimeSpan pendingPeriod, WalletRules rules)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        var entries = new List<StatementEntry> { new(now, EntryKinds.Award, points, issuerChainId, lotId, lotId, null, []) };
        var free = points;
        var debts = new List<Debt>();
        foreach (var debt in state.Debts)
        {
            var repaid = Math.Min(free, debt.Points);
            if (repaid > 0)
            {
                free -= repaid;
                entries.Add(new StatementEntry(now, EntryKinds.DebtRepayment, 0, debt.ChainId, debt.Reference, lotId,
                    $"{repaid} points of {lotId} repaid debt", [new LotTake(lotId, issuerChainId, repaid)]));
            }

            if (debt.Points > repaid)
            {
                debts.Add(debt with { Points = debt.Points - repaid });
            }
        }

        var lots = state.Lots.ToList();
        if (free > 0)
        {
            lots.Add(new Lot(lotId, issuerChainId, points, free, 0, now, now + pendingPeriod, rules.ExpiresAt(now)));
        }

        return new WalletChange(
            state with { Lots = lots, Debts = debts, Earned = state.Earned + points, Chains = WithChain(state.Chains, issuerChainId), UpdatedAt = now },
            entries);
    }

    /// <summary>A reversal of <paramref name="points"/> (> 0) by a return of the sale <paramref name="originalLotId"/>.</summary>
    public static WalletChange Reverse(WalletState state, string reference, string chainId, long points, string? originalLotId, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        var lots = state.Lots.ToList();
        var taken = new List<LotTake>();
        var missing = points;
        foreach (var index in ReversalOrder(lots, originalLotId, now))
        {
            if (missing == 0)
            {
                break;
            }

            var lot = lots[index];
            var take = Math.Min(missing, lot.Free);
            lots[index] = lot with { Remaining = lot.Remaining - take };
            taken.Add(new LotTake(lot.LotId, lot.IssuerChainId, take));
            missing -= take;
        }

        var debts = state.Debts.ToList();
        if (missing > 0)
        {
            debts.Add(new Debt(reference, chainId, now, missing));
        }

        var entry = new StatementEntry(now, EntryKinds.Reversal, -points, chainId, reference, originalLotId, missing > 0 ? $"{missing} points became debt" : null, taken);
        return new WalletChange(
            state with { Lots = Kept(lots), Debts = debts, Reversed = state.Reversed + points, Chains = WithChain(state.Chains, chainId), UpdatedAt = now },
            [entry]);
    }

    /// <summary>Makes durable the expiry of every lot past its date with free points; the entries are dated at the expiry.</summary>
    public static WalletChange ExpireDue(WalletState state, DateTimeOffset now)
    {
        var entries = DueExpiries(state, now);
        if (entries.Count == 0)
        {
            return new WalletChange(state, []);
        }

        var expiredLots = entries.ToDictionary(entry => entry.LotId!, entry => -entry.Points, StringComparer.Ordinal);
        var lots = state.Lots.Select(lot => expiredLots.TryGetValue(lot.LotId, out var expired) ? lot with { Remaining = lot.Remaining - expired } : lot).ToList();
        return new WalletChange(
            state with { Lots = Kept(lots), Expired = state.Expired + expiredLots.Values.Sum(), UpdatedAt = now },
            entries);
    }

    /// <summary>The expiries due at <paramref name="now"/> and not durable yet, as the entries they make.</summary>
    public static IReadOnlyList<StatementEntry> DueExpiries(WalletState state, DateTimeOffset now) =>
        state.Lots
            .Where(lot => lot.IsExpiredAt(now) && lot.Free > 0)
            .OrderBy(lot => lot.ExpiresAt).ThenBy(lot => lot.LotId, StringComparer.Ordinal)
            .Select(lot => new StatementEntry(lot.ExpiresAt, EntryKinds.Expiry, -lot.Free, lot.IssuerChainId, lot.LotId, lot.LotId, null, [new LotTake(lot.LotId, lot.IssuerChainId, lot.Free)]))
            .ToList();

    /// <summary>The balance at <paramref name="now"/>: both equalities of wallet.md hold by construction.</summary>
    public static WalletBalance BalanceAt(WalletState state, DateTimeOffset now)
    {
        long available = 0, pending = 0, reserved = 0, expiredNotDurable = 0;
        foreach (var lot in state.Lots)
        {
            reserved += lot.Reserved;
            if (lot.IsExpiredAt(now))
            {
                expiredNotDurable += lot.Free;
            }
            else if (lot.IsAvailableAt(now))
            {
                available += lot.Free;
            }
            else
            {
                pending += lot.Free;
            }
        }

        var upcoming = state.Lots.Where(lot => lot.Free > 0 && !lot.IsExpiredAt(now)).ToList();
        DateTimeOffset? nextExpiryAt = upcoming.Count == 0 ? null : upcoming.Min(lot => lot.ExpiresAt);
        var nextExpiryPoints = upcoming.Where(lot => lot.ExpiresAt == nextExpiryAt).Sum(lot => lot.Free);
        var expired = state.Expired + expiredNotDurable;
        var debt = state.DebtPoints;
        return new WalletBalance(
            state.Earned - state.Reversed - state.Redeemed - expired,
            available, pending, reserved, debt,
            state.Earned, state.Reversed, state.Redeemed, expired,
            nextExpiryPoints, nextExpiryAt, state.UpdatedAt);
    }

    /// <summary>Lots with points to spend or to become spendable at <paramref name="now"/> (not past their expiry), in redemption order.</summary>
    public static IReadOnlyList<Lot> OpenLots(WalletState state, DateTimeOffset now) =>
        [.. RedemptionOrder(state.Lots.Where(lot => lot.Remaining > 0 && !lot.IsExpiredAt(now)))];

    /// <summary>Oldest expiry first, then oldest award, then lot id: the order in which points are spent.</summary>
    public static IOrderedEnumerable<Lot> RedemptionOrder(IEnumerable<Lot> lots) =>
        lots.OrderBy(lot => lot.ExpiresAt).ThenBy(lot => lot.EarnedAt).ThenBy(lot => lot.LotId, StringComparer.Ordinal);

    private static IEnumerable<int> ReversalOrder(List<Lot> lots, string? originalLotId, DateTimeOffset now)
    {
        var takeable = lots.Select((lot, index) => (lot, index)).Where(pair => pair.lot.Free > 0 && !pair.lot.IsExpiredAt(now)).ToList();
        var own = takeable.Where(pair => originalLotId is not null && pair.lot.LotId == originalLotId).Select(pair => pair.index);
        var others = takeable.Where(pair => pair.lot.LotId != originalLotId)
            .OrderBy(pair => pair.lot.IsAvailableAt(now) ? 0 : 1)
            .ThenBy(pair => pair.lot.ExpiresAt).ThenBy(pair => pair.lot.EarnedAt).ThenBy(pair => pair.lot.LotId, StringComparer.Ordinal)
            .Select(pair => pair.index);
        return [.. own, .. others];
    }

    private static List<Lot> Kept(List<Lot> lots) => lots.Where(lot => lot.Remaining > 0).ToList();

    private static IReadOnlyList<string> WithChain(IReadOnlyList<string> chains, string chainId) =>
        chains.Contains(chainId, StringComparer.Ordinal) ? chains : [.. chains.Append(chainId).Order(StringComparer.Ordinal)];
}
