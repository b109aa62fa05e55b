namespace PosGreenPoints.Tests.Unit.Wallet;

/// <summary>
/// A second, independent reading of wallet.md, to check the decider against: one object per point
/// instead of counters per lot. Every figure of the balance is a count of points in some fate, so the
/// model has no running totals that could drift; its orders are its own comparisons, not the decider's.
/// Mutable and slow on purpose: it is for tests with small numbers of points.
/// </summary>
internal sealed class SpecWallet(TimeZoneInfo zone, int validityMonths)
{
    private readonly List<SpecLot> _lots = [];
    private readonly List<SpecPoint> _points = [];
    private readonly List<SpecOwed> _owed = [];
    private readonly SortedSet<string> _chains = new(StringComparer.Ordinal);
    private readonly List<SpecHold> _holds = [];
    private readonly Dictionary<(string ChainId, string RedemptionId), List<SpecPoint>> _redeemed = [];
    private int _debts;
    private int _firstUnpaid;

    /// <summary>The rules' validity for the next awards (a new rules version may change it; lots keep theirs).</summary>
    public int ValidityMonths { get; set; } = validityMonths;

    public DateTimeOffset? UpdatedAt { get; private set; }

    public IReadOnlyCollection<string> Chains => _chains;

    /// <summary>
    /// "The end of the calendar month, in the scheme time zone, validityMonths after the month of earnedAt":
    /// the local month of the award, counted on by whole months, and 24:00 of its last day in the zone.
    /// </summary>
    public static DateTimeOffset EndOfMonth(DateTimeOffset earnedAt, TimeZoneInfo zone, int months)
    {
        var local = TimeZoneInfo.ConvertTime(earnedAt, zone).DateTime;
        var monthNumber = (local.Year * 12) + (local.Month - 1) + months;
        var year = monthNumber / 12;
        var month = (monthNumber % 12) + 1;
        var midnightAfterLastDay = new DateTime(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, DateTimeKind.Unspecified).AddDays(1);
        return new DateTimeOffset(midnightAfterLastDay, zone.GetUtcOffset(midnightAfterLastDay));
    }

    /// <summary>An award: one point object per point; the oldest debts take the first of them, the rest is the lot.</summary>
    public IReadOnlyList<SpecEntry> Award(string lotId, string issuer, long points, DateTimeOffset now, int pendingDays)
    {
        var lot = new SpecLot(lotId, issuer, points, now, now.AddDays(pendingDays), EndOfMonth(now, zone, ValidityMonths));
        _lots.Add(lot);
        _chains.Add(issuer);
        UpdatedAt = now;
        var entries = new List<SpecEntry> { new(now, "award", points, issuer, lotId, lotId, []) };
        var repaidPerDebt = new List<(SpecOwed First, long Points)>();
        for (var i = 0; i < points; i++)
        {
            var point = new SpecPoint(lot);
            _points.Add(point);
            // Debts are repaid oldest first, so the points owed are repaid in the order they were owed.
            if (_firstUnpaid == _owed.Count)
            {
                continue;
            }

            var owed = _owed[_firstUnpaid++];
            point.Fate = Fate.RepaidDebt;
            if (repaidPerDebt.Count > 0 && repaidPerDebt[^1].First.DebtNumber == owed.DebtNumber)
            {
                repaidPerDebt[^1] = (repaidPerDebt[^1].First, repaidPerDebt[^1].Points + 1);
            }
            else
            {
                repaidPerDebt.Add((owed, 1));
            }
        }

        // Debt repayment moves points from the new lot to the debt: the award already counted them, so 0 here.
        entries.AddRange(repaidPerDebt.Select(repaid =>
            new SpecEntry(now, "debt-repayment", 0, repaid.First.ChainId, repaid.First.Reference, lotId, [new SpecTake(lotId, issuer, repaid.Points)])));
        return entries;
    }

    /// <summary>A reversal: the sale's own lot, then the others available before pending, each oldest expiry first; the rest is owed.</summary>
    public SpecEntry Reverse(string reference, string chainId, long points, string? originalLotId, DateTimeOffset now)
    {
        _chains.Add(chainId);
        UpdatedAt = now;
        var candidates = _points.Where(point => IsHeld(point, now)).ToList();
        candidates.Sort((x, y) => CompareForReversal(x.Lot, y.Lot, originalLotId, now));
        var takes = new List<SpecTake>();
        var taken = 0L;
        foreach (var point in candidates.Take((int)Math.Min(points, candidates.Count)))
        {
            point.Fate = Fate.Reversed;
            taken++;
            if (takes.Count > 0 && takes[^1].LotId == point.Lot.LotId)
            {
                takes[^1] = takes[^1] with { Points = takes[^1].Points + 1 };
            }
            else
            {
                takes.Add(new SpecTake(point.Lot.LotId, point.Lot.IssuerChainId, 1));
            }
        }

        if (taken < points)
        {
            _debts++;
            for (var i = taken; i < points; i++)
            {
                _owed.Add(new SpecOwed(_debts, reference, chainId));
            }
        }

        return new SpecEntry(now, "reversal", -points, chainId, reference, originalLotId, takes);
    }

    /// <summary>
    /// What an expiry or holds run at <paramref name="now"/> would make durable, without making it: lots
    /// past their date with unheld points, and holds past their end released (redemption.md).
    /// </summary>
    public IReadOnlyList<SpecEntry> DueExpiries(DateTimeOffset now) => Clone().ExpireDue(now);

    /// <summary>
    /// Time's work up to <paramref name="now"/>, in time order: a lot's unheld points expire at its
    /// expiry; a hold ends at its end (an earlier-dated lot expiry first, then the release).
    /// </summary>
    public IReadOnlyList<SpecEntry> ExpireDue(DateTimeOffset now) => PassTime(now, expireLots: true);

    /// <summary>Only the holds that ended by <paramref name="now"/>: what the store releases before it posts a receipt.</summary>
    public IReadOnlyList<SpecEntry> ReleaseLapsed(DateTimeOffset now) => PassTime(now, expireLots: false);

    /// <summary>Holds <paramref name="points"/> available points for a reservation; false (nothing held) when fewer are available.</summary>
    public bool Reserve(string chainId, string redemptionId, long points, DateTimeOffset now, DateTimeOffset until)
    {
        var candidates = _points.Where(point => point.Fate == Fate.Held && point.Lot.AvailableAt <= now && now < point.Lot.ExpiresAt).ToList();
        if (candidates.Count < points)
        {
            return false;
        }

        // A stable sort: points of one lot keep their order, so a hold takes whole runs of a lot.
        var ordered = candidates.OrderBy(point => point.Lot, Comparer<SpecLot>.Create(CompareForRedemption)).Take((int)points).ToList();
        foreach (var point in ordered)
        {
            point.Fate = Fate.Reserved;
        }

        _holds.Add(new SpecHold(chainId, redemptionId, until, ordered));
        _chains.Add(chainId);
        UpdatedAt = now;
        return true;
    }

    public bool IsOpen(string chainId, string redemptionId) => _holds.Any(hold => hold.ChainId == chainId && hold.RedemptionId == redemptionId);

    /// <summary>A commit: the held points are spent, in the order they were held.</summary>
    public SpecEntry Commit(string chainId, string redemptionId, DateTimeOffset now)
    {
        var hold = _holds.Single(open => open.ChainId == chainId && open.RedemptionId == redemptionId);
        _holds.Remove(hold);
        foreach (var point in hold.Points)
        {
            point.Fate = Fate.Redeemed;
        }

        _redeemed[(chainId, redemptionId)] = hold.Points;
        UpdatedAt = now;
        return new SpecEntry(now, "redemption", -hold.Points.Count, chainId, redemptionId, null, Runs(hold.Points));
    }

    public IReadOnlyList<SpecEntry> Cancel(string chainId, string redemptionId, DateTimeOffset now)
    {
        var hold = _holds.Single(open => open.ChainId == chainId && open.RedemptionId == redemptionId);
        _holds.Remove(hold);
        var entries = new List<SpecEntry>();
        Release(hold, now, entries);
        UpdatedAt = now;
        return entries;
    }

    /// <summary>Points of a redemption not given back yet.</summary>
    public long Refundable(string chainId, string redemptionId) =>
        _redeemed.TryGetValue((chainId, redemptionId), out var points) ? points.Count(point => point.Fate == Fate.Redeemed) : 0;

    /// <summary>
    /// A refund: the last-spent points of the redemption come back first, into their own lots; a lot past
    /// its expiry takes them only to expire them at once; the rest repay debt first.
    /// </summary>
    public IReadOnlyList<SpecEntry> Refund(string chainId, string refundId, string redemptionId, long points, DateTimeOffset now)
    {
        var back = _redeemed[(chainId, redemptionId)].Where(point => point.Fate == Fate.Redeemed).Reverse().Take((int)points).ToList();
        var entries = new List<SpecEntry> { new(now, "refund", points, chainId, refundId, null, Runs(back)) };
        var freed = new List<SpecPoint>();
        foreach (var run in back.GroupBy(point => point.Lot))
        {
            if (run.Key.ExpiresAt <= now)
            {
                foreach (var point in run)
                {
                    point.Fate = Fate.Expired;
                }

                entries.Add(new SpecEntry(now, "expiry", -run.Count(), run.Key.IssuerChainId, run.Key.LotId, run.Key.LotId, [new SpecTake(run.Key.LotId, run.Key.IssuerChainId, run.Count())]));
            }
            else
            {
                foreach (var point in run)
                {
                    point.Fate = Fate.Held;
                    freed.Add(point);
                }
            }
        }

        RepayFrom(freed, now, entries);
        _chains.Add(chainId);
        UpdatedAt = now;
        return entries;
    }

    private List<SpecEntry> PassTime(DateTimeOffset now, bool expireLots)
    {
        var entries = new List<SpecEntry>();
        var ended = _holds.Where(hold => hold.Until <= now)
            .OrderBy(hold => hold.Until).ThenBy(hold => hold.ChainId, StringComparer.Ordinal).ThenBy(hold => hold.RedemptionId, StringComparer.Ordinal)
            .ToList();
        foreach (var hold in ended)
        {
            if (expireLots)
            {
                ExpireLotsUntil(hold.Until, entries);
            }

            _holds.Remove(hold);
            Release(hold, hold.Until, entries);
        }

        if (expireLots)
        {
            ExpireLotsUntil(now, entries);
        }

        if (entries.Count > 0 || ended.Count > 0)
        {
            UpdatedAt = now;
        }

        return entries;
    }

    private void ExpireLotsUntil(DateTimeOffset until, List<SpecEntry> entries)
    {
        var due = _points.Where(point => point.Fate == Fate.Held && point.Lot.ExpiresAt <= until).ToList();
        foreach (var lot in due.GroupBy(point => point.Lot).OrderBy(group => group.Key.ExpiresAt).ThenBy(group => group.Key.LotId, StringComparer.Ordinal))
        {
            foreach (var point in lot)
            {
                point.Fate = Fate.Expired;
            }

            entries.Add(new SpecEntry(lot.Key.ExpiresAt, "expiry", -lot.Count(), lot.Key.IssuerChainId, lot.Key.LotId, lot.Key.LotId, [new SpecTake(lot.Key.LotId, lot.Key.IssuerChainId, lot.Count())]));
        }
    }

    /// <summary>A hold ends at <paramref name="at"/>: points of lots expired by then expire then; the others are free and repay debt first.</summary>
    private void Release(SpecHold hold, DateTimeOffset at, List<SpecEntry> entries)
    {
        var freed = new List<SpecPoint>();
        foreach (var run in hold.Points.GroupBy(point => point.Lot))
        {
            if (run.Key.ExpiresAt <= at)
            {
                foreach (var point in run)
                {
                    point.Fate = Fate.Expired;
                }

                entries.Add(new SpecEntry(at, "expiry", -run.Count(), run.Key.IssuerChainId, run.Key.LotId, run.Key.LotId, [new SpecTake(run.Key.LotId, run.Key.IssuerChainId, run.Count())]));
            }
            else
            {
                foreach (var point in run)
                {
                    point.Fate = Fate.Held;
                    freed.Add(point);
                }
            }
        }

        RepayFrom(freed, at, entries);
    }

    /// <summary>Freed points repay the oldest owed points first, taking the freed points in the redemption order of their lots.</summary>
    private void RepayFrom(List<SpecPoint> freed, DateTimeOffset at, List<SpecEntry> entries)
    {
        var repaid = new List<(SpecOwed Owed, SpecPoint Point)>();
        foreach (var point in freed.OrderBy(point => point.Lot, Comparer<SpecLot>.Create(CompareForRedemption)))
        {
            if (_firstUnpaid == _owed.Count)
            {
                break;
            }

            point.Fate = Fate.RepaidDebt;
            repaid.Add((_owed[_firstUnpaid++], point));
        }

        foreach (var debt in repaid.GroupBy(pair => pair.Owed.DebtNumber))
        {
            var first = debt.First().Owed;
            var takes = Runs([.. debt.Select(pair => pair.Point)]);
            entries.Add(new SpecEntry(at, "debt-repayment", 0, first.ChainId, first.Reference, takes[0].LotId, takes));
        }
    }

    /// <summary>Points as takes: one per run of points of one lot, in order.</summary>
    private static List<SpecTake> Runs(IReadOnlyList<SpecPoint> points)
    {
        var takes = new List<SpecTake>();
        foreach (var point in points)
        {
            if (takes.Count > 0 && takes[^1].LotId == point.Lot.LotId)
            {
                takes[^1] = takes[^1] with { Points = takes[^1].Points + 1 };
            }
            else
            {
                takes.Add(new SpecTake(point.Lot.LotId, point.Lot.IssuerChainId, 1));
            }
        }

        return takes;
    }

    /// <summary>A copy to look ahead with: the same lots, points with the same fates.</summary>
    private SpecWallet Clone()
    {
        var copy = new SpecWallet(zone, ValidityMonths) { UpdatedAt = UpdatedAt, _debts = _debts, _firstUnpaid = _firstUnpaid };
        copy._lots.AddRange(_lots);
        var points = new Dictionary<SpecPoint, SpecPoint>(ReferenceEqualityComparer.Instance);
        foreach (var point in _points)
        {
            var twin = new SpecPoint(point.Lot) { Fate = point.Fate };
            points[point] = twin;
            copy._points.Add(twin);
        }

        copy._owed.AddRange(_owed);
        copy._chains.UnionWith(_chains);
        copy._holds.AddRange(_holds.Select(hold => new SpecHold(hold.ChainId, hold.RedemptionId, hold.Until, [.. hold.Points.Select(point => points[point])])));
        foreach (var (key, redeemed) in _redeemed)
        {
            copy._redeemed[key] = [.. redeemed.Select(point => points[point])];
        }

        return copy;
    }

    /// <summary>The balance at <paramref name="now"/>, each figure counted from the points' fates.</summary>
    public SpecBalance Balance(DateTimeOffset now)
    {
        if (_holds.Any(hold => hold.Until <= now))
        {
            // A hold past its end is released from that instant on, written or not; updatedAt stays the last posting's.
            var ahead = Clone();
            ahead.ReleaseLapsed(now);
            return ahead.Balance(now) with { UpdatedAt = UpdatedAt };
        }

        long earned = 0, reversed = 0, expired = 0, available = 0, pending = 0, reserved = 0, redeemed = 0, nextExpiryPoints = 0;
        DateTimeOffset? nextExpiryAt = null;
        foreach (var point in _points)
        {
            earned++;
            switch (point.Fate)
            {
                case Fate.Reversed or Fate.RepaidDebt:
                    // A point repaid to a debt was reversed: the debt's reversal counted it, and the debt repaid is gone.
                    reversed++;
                    break;
                case Fate.Expired:
                    expired++;
                    break;
                case Fate.Reserved:
                    reserved++;
                    break;
                case Fate.Redeemed:
                    redeemed++;
                    break;
                case Fate.Held when point.Lot.ExpiresAt <= now:
                    expired++;
                    break;
                case Fate.Held:
                    if (point.Lot.AvailableAt <= now)
                    {
                        available++;
                    }
                    else
                    {
                        pending++;
                    }

                    if (nextExpiryAt is null || point.Lot.ExpiresAt < nextExpiryAt)
                    {
                        (nextExpiryAt, nextExpiryPoints) = (point.Lot.ExpiresAt, 1);
                    }
                    else if (point.Lot.ExpiresAt == nextExpiryAt)
                    {
                        nextExpiryPoints++;
                    }

                    break;
            }
        }

        long debt = _owed.Count - _firstUnpaid;
        reversed += debt;
        return new SpecBalance(
            earned - reversed - redeemed - expired,
            available, pending, reserved, debt,
            earned, reversed, redeemed, expired,
            nextExpiryPoints, nextExpiryAt, UpdatedAt);
    }

    /// <summary>The lots with points left that are not past their expiry, in redemption order.</summary>
    public IReadOnlyList<SpecOpenLot> OpenLots(DateTimeOffset now)
    {
        if (_holds.Any(hold => hold.Until <= now))
        {
            var ahead = Clone();
            ahead.ReleaseLapsed(now);
            return ahead.OpenLots(now);
        }

        var open = AllLots(now).Where(lot => lot.Remaining > 0 && now < lot.Lot.ExpiresAt).ToList();
        open.Sort((x, y) => CompareForRedemption(x.Lot, y.Lot));
        return [.. open.Select(pair => new SpecOpenLot(pair.Lot.LotId, pair.Lot.IssuerChainId, pair.Lot.Points, pair.Remaining, pair.Lot.EarnedAt, pair.Lot.AvailableAt, pair.Lot.ExpiresAt))];
    }

    /// <summary>Every lot ever awarded with what of it is neither reversed, repaid to debt, spent nor expired (durably or lazily) at <paramref name="now"/>; held points count.</summary>
    public IReadOnlyList<(SpecLot Lot, long Remaining)> AllLots(DateTimeOffset now)
    {
        var held = new Dictionary<SpecLot, long>(ReferenceEqualityComparer.Instance);
        foreach (var point in _points)
        {
            if (IsHeld(point, now) || point.Fate == Fate.Reserved)
            {
                held[point.Lot] = held.GetValueOrDefault(point.Lot) + 1;
            }
        }

        return [.. _lots.Select(lot => (lot, held.GetValueOrDefault(lot)))];
    }

    private static bool IsHeld(SpecPoint point, DateTimeOffset now) => point.Fate == Fate.Held && now < point.Lot.ExpiresAt;

    private static int CompareForRedemption(SpecLot x, SpecLot y)
    {
        if (x.ExpiresAt != y.ExpiresAt)
        {
            return x.ExpiresAt < y.ExpiresAt ? -1 : 1;
        }

        if (x.EarnedAt != y.EarnedAt)
        {
            return x.EarnedAt < y.EarnedAt ? -1 : 1;
        }

        return string.CompareOrdinal(x.LotId, y.LotId);
    }

    private static int CompareForReversal(SpecLot x, SpecLot y, string? originalLotId, DateTimeOffset now)
    {
        var xOwn = x.LotId == originalLotId;
        var yOwn = y.LotId == originalLotId;
        if (xOwn != yOwn)
        {
            return xOwn ? -1 : 1;
        }

        var xAvailable = x.AvailableAt <= now;
        var yAvailable = y.AvailableAt <= now;
        if (xAvailable != yAvailable)
        {
            return xAvailable ? -1 : 1;
        }

        return CompareForRedemption(x, y);
    }

    private enum Fate
    {
        Held,
        Reversed,
        RepaidDebt,
        Expired,

        /// <summary>Held by an open reservation: in its lot, but no reversal, redemption or expiry takes it.</summary>
        Reserved,

        /// <summary>Spent by a committed redemption (until a refund gives it back).</summary>
        Redeemed,
    }

    private sealed record SpecHold(string ChainId, string RedemptionId, DateTimeOffset Until, List<SpecPoint> Points);

    private sealed class SpecPoint(SpecLot lot)
    {
        public SpecLot Lot { get; } = lot;

        public Fate Fate { get; set; } = Fate.Held;
    }

    /// <summary>One point of debt; <see cref="DebtNumber"/> tells the debts apart, in the order they arose.</summary>
    private sealed class SpecOwed(int debtNumber, string reference, string chainId)
    {
        public int DebtNumber { get; } = debtNumber;

        public string Reference { get; } = reference;

        public string ChainId { get; } = chainId;
    }
}

/// <summary>A lot as awarded; what is left of it is counted from its points.</summary>
internal sealed record SpecLot(string LotId, string IssuerChainId, long Points, DateTimeOffset EarnedAt, DateTimeOffset AvailableAt, DateTimeOffset ExpiresAt);

internal sealed record SpecTake(string LotId, string IssuerChainId, long Points);

internal sealed record SpecEntry(DateTimeOffset PostedAt, string Kind, long Points, string ChainId, string Reference, string? LotId, IReadOnlyList<SpecTake> Taken)
{
    public override string ToString() =>
        $"{Kind} {Points} at {PostedAt.UtcDateTime:O} chain {ChainId} ref {Reference} lot {LotId} taken [{string.Join(", ", Taken.Select(take => $"{take.LotId}/{take.IssuerChainId}:{take.Points}"))}]";
}

internal sealed record SpecOpenLot(string LotId, string IssuerChainId, long Points, long Remaining, DateTimeOffset EarnedAt, DateTimeOffset AvailableAt, DateTimeOffset ExpiresAt);

internal sealed record SpecBalance(
    long Balance,
    long Available,
    long Pending,
    long Reserved,
    long Debt,
    long Earned,
    long Reversed,
    long Redeemed,
    long Expired,
    long NextExpiryPoints,
    DateTimeOffset? NextExpiryAt,
    DateTimeOffset? UpdatedAt);
