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

    /// <summary>
    /// Makes durable what time alone did by <paramref name="now"/>: the expiry of every lot past its date
    /// with free points (dated at the expiry), and the release of every reservation past its hold (dated
    /// at its lapse: held points of a lot expired meanwhile expire then, the others repay debt first).
    /// In time order, so the entries are the same whenever it runs after them.
    /// </summary>
    public static WalletChange Settle(WalletState state, DateTimeOffset now) => Settle(state, now, expireLots: true);

    /// <summary>
    /// Only the release of reservations past their hold (what a reversal must see first, wallet.md: it
    /// never takes reserved points, and lapsed points are not reserved). Lots' own expiries are left to
    /// the expiry timer, which emits their events; the entries of the releases are those <see cref="Settle"/> writes.
    /// </summary>
    public static WalletChange ReleaseLapsed(WalletState state, DateTimeOffset now) => Settle(state, now, expireLots: false);

    private static WalletChange Settle(WalletState state, DateTimeOffset now, bool expireLots)
    {
        var lots = state.Lots.ToList();
        var debts = state.Debts.ToList();
        var holds = state.Holds.ToList();
        var entries = new List<StatementEntry>();
        var lapsed = new List<Hold>();
        long expired = 0;
        foreach (var hold in holds.Where(hold => hold.ReservedUntil <= now).OrderBy(hold => hold.ReservedUntil).ThenBy(hold => hold.ChainId, StringComparer.Ordinal).ThenBy(hold => hold.RedemptionId, StringComparer.Ordinal).ToList())
        {
            expired += expireLots ? ExpireLots(lots, hold.ReservedUntil, entries) : 0;
            expired += Release(lots, debts, hold, hold.ReservedUntil, entries);
            holds.Remove(hold);
            lapsed.Add(hold);
        }

        expired += expireLots ? ExpireLots(lots, now, entries) : 0;
        if (entries.Count == 0 && lapsed.Count == 0)
        {
            return new WalletChange(state, []);
        }

        return new WalletChange(
            state with { Lots = Kept(lots), Debts = debts, Holds = holds, Expired = state.Expired + expired, UpdatedAt = now },
            entries)
        { Lapsed = lapsed };
    }

    /// <summary>The entries <see cref="Settle"/> would write at <paramref name="now"/>: what every read counts already.</summary>
    public static IReadOnlyList<StatementEntry> DueEntries(WalletState state, DateTimeOffset now) => Settle(state, now).Entries;

    /// <summary>Available points at <paramref name="now"/> (after <see cref="Settle"/>): what a reservation may hold.</summary>
    public static long AvailableAt(WalletState state, DateTimeOffset now) =>
        state.Lots.Where(lot => lot.IsAvailableAt(now)).Sum(lot => lot.Free);

    /// <summary>
    /// Holds <paramref name="points"/> of the available points, lot by lot in redemption order, until
    /// <paramref name="reservedUntil"/>; null when fewer are available. The points stay in their lots
    /// and in the balance (as reserved), so a reservation adds no statement entry.
    /// </summary>
    public static WalletChange? Reserve(WalletState state, string chainId, string redemptionId, long points, DateTimeOffset now, DateTimeOffset reservedUntil)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        if (AvailableAt(state, now) < points)
        {
            return null;
        }

        var lots = state.Lots.ToList();
        var takes = new List<LotTake>();
        var missing = points;
        foreach (var lot in RedemptionOrder(lots.Where(lot => lot.IsAvailableAt(now) && lot.Free > 0)).ToList())
        {
            if (missing == 0)
            {
                break;
            }

            var take = Math.Min(missing, lot.Free);
            lots[lots.IndexOf(lot)] = lot with { Reserved = lot.Reserved + take };
            takes.Add(new LotTake(lot.LotId, lot.IssuerChainId, take));
            missing -= take;
        }

        var hold = new Hold(chainId, redemptionId, points, reservedUntil, takes);
        return new WalletChange(state with { Lots = lots, Holds = [.. state.Holds, hold], Chains = WithChain(state.Chains, chainId), UpdatedAt = now }, []);
    }

    /// <summary>
    /// Commits an open reservation: its held points leave their lots as a redemption (one take per lot,
    /// with the lot's issuer) worth <paramref name="yuanPerPoint"/> each. Null when no such hold is open.
    /// </summary>
    public static (WalletChange Change, IReadOnlyList<RedeemedLot> Redeemed)? Commit(WalletState state, string chainId, string redemptionId, DateTimeOffset now, decimal yuanPerPoint, string? storeId, string? terminalId)
    {
        if (FindHold(state, chainId, redemptionId) is not { } hold)
        {
            return null;
        }

        var lots = state.Lots.ToList();
        var redeemed = new List<RedeemedLot>();
        foreach (var take in hold.Takes)
        {
            var index = lots.FindIndex(lot => lot.LotId == take.LotId);
            var lot = lots[index];
            lots[index] = lot with { Remaining = lot.Remaining - take.Points, Reserved = lot.Reserved - take.Points };
            redeemed.Add(new RedeemedLot(lot.LotId, lot.IssuerChainId, take.Points, lot.Points, lot.EarnedAt, lot.AvailableAt, lot.ExpiresAt));
        }

        var entry = new StatementEntry(now, EntryKinds.Redemption, -hold.Points, chainId, redemptionId, null, null, hold.Takes)
        {
            StoreId = storeId,
            TerminalId = terminalId,
            YuanPerPoint = yuanPerPoint,
        };
        return (new WalletChange(
            state with { Lots = Kept(lots), Holds = [.. state.Holds.Where(open => open != hold)], Redeemed = state.Redeemed + hold.Points, UpdatedAt = now },
            [entry]), redeemed);
    }

    /// <summary>Releases an open reservation now (a cancel): as a lapse, but dated now. Null when no such hold is open.</summary>
    public static WalletChange? Cancel(WalletState state, string chainId, string redemptionId, DateTimeOffset now)
    {
        if (FindHold(state, chainId, redemptionId) is not { } hold)
        {
            return null;
        }

        var lots = state.Lots.ToList();
        var debts = state.Debts.ToList();
        var entries = new List<StatementEntry>();
        var expired = Release(lots, debts, hold, now, entries);
        return new WalletChange(
            state with { Lots = Kept(lots), Debts = debts, Holds = [.. state.Holds.Where(open => open != hold)], Expired = state.Expired + expired, UpdatedAt = now },
            entries);
    }

    /// <summary>
    /// Gives back <paramref name="points"/> of a committed redemption (redemption.md, "Refunds"): into the
    /// lots they came from, the latest-consumed first, keeping those lots' expiry; points given back to a
    /// lot already past its expiry expire at once; the others repay debt first.
    /// </summary>
    /// <param name="redeemed">The lots the redemption took from, in the order it took them.</param>
    /// <param name="refundedBefore">Points of each of those lots given back by earlier refunds.</param>
    /// <returns>The change and the points given back to each lot (for the redemption's record).</returns>
    public static (WalletChange Change, IReadOnlyList<LotTake> GivenBack) Refund(
        WalletState state, string chainId, string refundId, string redemptionId, IReadOnlyList<RedeemedLot> redeemed, IReadOnlyDictionary<string, long> refundedBefore,
        long points, decimal yuanPerPoint, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        var lots = state.Lots.ToList();
        var debts = state.Debts.ToList();
        var givenBack = new List<LotTake>();
        var freed = new List<LotTake>();
        var expiries = new List<StatementEntry>();
        var left = points;
        foreach (var source in redeemed.Reverse())
        {
            var give = Math.Min(left, source.Points - refundedBefore.GetValueOrDefault(source.LotId));
            if (give <= 0)
            {
                continue;
            }

            left -= give;
            givenBack.Add(new LotTake(source.LotId, source.IssuerChainId, give));
            if (source.ExpiresAt <= now)
            {
                // wallet.md: points restored into an already expired lot are expired at once.
                expiries.Add(new StatementEntry(now, EntryKinds.Expiry, -give, source.IssuerChainId, source.LotId, source.LotId, "given back by a refund after the lot's expiry", [new LotTake(source.LotId, source.IssuerChainId, give)]));
                continue;
            }

            var index = lots.FindIndex(lot => lot.LotId == source.LotId);
            if (index >= 0)
            {
                lots[index] = lots[index] with { Remaining = lots[index].Remaining + give };
            }
            else
            {
                lots.Add(new Lot(source.LotId, source.IssuerChainId, source.LotPoints, give, 0, source.EarnedAt, source.AvailableAt, source.ExpiresAt));
            }

            freed.Add(new LotTake(source.LotId, source.IssuerChainId, give));
        }

        if (left > 0)
        {
            throw new InvalidOperationException($"A refund of {points} points is more than the {points - left} its redemption has left to give back.");
        }

        var entries = new List<StatementEntry>
        {
            new(now, EntryKinds.Refund, points, chainId, refundId, null, $"refund of {redemptionId}", givenBack) { YuanPerPoint = yuanPerPoint },
        };
        entries.AddRange(expiries);
        RepayDebts(lots, debts, freed, now, entries);
        return (new WalletChange(
            state with
            {
                Lots = Kept(lots),
                Debts = debts,
                Redeemed = state.Redeemed - points,
                Expired = state.Expired - expiries.Sum(entry => entry.Points),
                Chains = WithChain(state.Chains, chainId),
                UpdatedAt = now,
            },
            entries), givenBack);
    }

    /// <summary>The balance at <paramref name="now"/>: both equalities of wallet.md hold by construction.</summary>
    public static WalletBalance BalanceAt(WalletState state, DateTimeOffset now)
    {
        // Lapsed holds and due expiries count from their instant on, whether or not they were written;
        // updatedAt stays the last posting's.
        var lastPosting = state.UpdatedAt;
        state = Settle(state, now).State;
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
            nextExpiryPoints, nextExpiryAt, lastPosting);
    }

    /// <summary>Lots with points to spend or to become spendable at <paramref name="now"/> (not past their expiry), in redemption order.</summary>
    public static IReadOnlyList<Lot> OpenLots(WalletState state, DateTimeOffset now) =>
        [.. RedemptionOrder(Settle(state, now).State.Lots.Where(lot => lot.Remaining > 0 && !lot.IsExpiredAt(now)))];

    /// <summary>The open reservation of <paramref name="chainId"/> and <paramref name="redemptionId"/>, if any.</summary>
    public static Hold? FindHold(WalletState state, string chainId, string redemptionId) =>
        state.Holds.FirstOrDefault(hold => hold.ChainId == chainId && hold.RedemptionId == redemptionId);

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

    /// <summary>Expires the free points of every lot past its date at <paramref name="until"/>, dated at each lot's expiry.</summary>
    /// <returns>The points expired.</returns>
    private static long ExpireLots(List<Lot> lots, DateTimeOffset until, List<StatementEntry> entries)
    {
        long expired = 0;
        foreach (var lot in lots.Where(lot => lot.IsExpiredAt(until) && lot.Free > 0).OrderBy(lot => lot.ExpiresAt).ThenBy(lot => lot.LotId, StringComparer.Ordinal).ToList())
        {
            entries.Add(new StatementEntry(lot.ExpiresAt, EntryKinds.Expiry, -lot.Free, lot.IssuerChainId, lot.LotId, lot.LotId, null, [new LotTake(lot.LotId, lot.IssuerChainId, lot.Free)]));
            expired += lot.Free;
            lots[lots.IndexOf(lot)] = lot with { Remaining = lot.Reserved };
        }

        return expired;
    }

    /// <summary>
    /// Releases a hold at <paramref name="at"/>: held points of a lot expired by then expire at that
    /// instant (they were held when the lot expired); the others are free again and repay debt first.
    /// </summary>
    /// <returns>The points expired.</returns>
    private static long Release(List<Lot> lots, List<Debt> debts, Hold hold, DateTimeOffset at, List<StatementEntry> entries)
    {
        long expired = 0;
        var freed = new List<LotTake>();
        foreach (var take in hold.Takes)
        {
            var index = lots.FindIndex(lot => lot.LotId == take.LotId);
            var lot = lots[index] with { Reserved = lots[index].Reserved - take.Points };
            if (lot.IsExpiredAt(at))
            {
                entries.Add(new StatementEntry(at, EntryKinds.Expiry, -take.Points, lot.IssuerChainId, lot.LotId, lot.LotId, $"held by {hold.RedemptionId} when the lot expired", [take]));
                lot = lot with { Remaining = lot.Remaining - take.Points };
                expired += take.Points;
            }
            else
            {
                freed.Add(take);
            }

            lots[index] = lot;
        }

        RepayDebts(lots, debts, freed, at, entries);
        return expired;
    }

    /// <summary>Points that became free repay debt, oldest debt first, from the freed points' lots in redemption order.</summary>
    private static void RepayDebts(List<Lot> lots, List<Debt> debts, List<LotTake> freed, DateTimeOffset at, List<StatementEntry> entries)
    {
        var sources = freed
            .GroupBy(take => take.LotId, StringComparer.Ordinal)
            .Select(group => (Lot: lots.First(lot => lot.LotId == group.Key), Points: group.Sum(take => take.Points)))
            .OrderBy(pair => pair.Lot.ExpiresAt).ThenBy(pair => pair.Lot.EarnedAt).ThenBy(pair => pair.Lot.LotId, StringComparer.Ordinal)
            .Select(pair => (pair.Lot.LotId, pair.Lot.IssuerChainId, pair.Points))
            .ToList();
        var source = 0;
        while (debts.Count > 0 && source < sources.Count)
        {
            var debt = debts[0];
            var taken = new List<LotTake>();
            var owed = debt.Points;
            while (owed > 0 && source < sources.Count)
            {
                var (lotId, issuer, points) = sources[source];
                var take = Math.Min(owed, points);
                taken.Add(new LotTake(lotId, issuer, take));
                var index = lots.FindIndex(lot => lot.LotId == lotId);
                lots[index] = lots[index] with { Remaining = lots[index].Remaining - take };
                owed -= take;
                sources[source] = (lotId, issuer, points - take);
                if (points == take)
                {
                    source++;
                }
            }

            var repaid = debt.Points - owed;
            entries.Add(new StatementEntry(at, EntryKinds.DebtRepayment, 0, debt.ChainId, debt.Reference, taken[0].LotId, $"{repaid} points repaid debt", taken));
            if (owed > 0)
            {
                debts[0] = debt with { Points = owed };
            }
            else
            {
                debts.RemoveAt(0);
            }
        }
    }

    private static List<Lot> Kept(List<Lot> lots) => lots.Where(lot => lot.Remaining > 0).ToList();

    private static IReadOnlyList<string> WithChain(IReadOnlyList<string> chains, string chainId) =>
        chains.Contains(chainId, StringComparer.Ordinal) ? chains : [.. chains.Append(chainId).Order(StringComparer.Ordinal)];
}
