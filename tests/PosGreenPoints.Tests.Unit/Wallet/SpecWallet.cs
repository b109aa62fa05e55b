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

    /// <summary>The expiries an expiry run at <paramref name="now"/> would make durable: one per lot past its date with points left.</summary>
    public IReadOnlyList<SpecEntry> DueExpiries(DateTimeOffset now)
    {
        var due = new Dictionary<SpecLot, long>(ReferenceEqualityComparer.Instance);
        foreach (var point in _points)
        {
            if (point.Fate == Fate.Held && point.Lot.ExpiresAt <= now)
            {
                due[point.Lot] = due.GetValueOrDefault(point.Lot) + 1;
            }
        }

        return due.Count == 0
            ? []
            : [.. due.OrderBy(pair => pair.Key.ExpiresAt).ThenBy(pair => pair.Key.LotId, StringComparer.Ordinal)
                .Select(pair => new SpecEntry(pair.Key.ExpiresAt, "expiry", -pair.Value, pair.Key.IssuerChainId, pair.Key.LotId, pair.Key.LotId,
                    [new SpecTake(pair.Key.LotId, pair.Key.IssuerChainId, pair.Value)]))];
    }

    public IReadOnlyList<SpecEntry> ExpireDue(DateTimeOffset now)
    {
        var entries = DueExpiries(now);
        foreach (var point in _points.Where(point => point.Fate == Fate.Held && point.Lot.ExpiresAt <= now))
        {
            point.Fate = Fate.Expired;
        }

        if (entries.Count > 0)
        {
            UpdatedAt = now;
        }

        return entries;
    }

    /// <summary>The balance at <paramref name="now"/>, each figure counted from the points' fates.</summary>
    public SpecBalance Balance(DateTimeOffset now)
    {
        long earned = 0, reversed = 0, expired = 0, available = 0, pending = 0, nextExpiryPoints = 0;
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
        const long redeemed = 0, reserved = 0;
        return new SpecBalance(
            earned - reversed - redeemed - expired,
            available, pending, reserved, debt,
            earned, reversed, redeemed, expired,
            nextExpiryPoints, nextExpiryAt, UpdatedAt);
    }

    /// <summary>The lots with points left that are not past their expiry, in redemption order.</summary>
    public IReadOnlyList<SpecOpenLot> OpenLots(DateTimeOffset now)
    {
        var open = AllLots(now).Where(lot => lot.Remaining > 0).ToList();
        open.Sort((x, y) => CompareForRedemption(x.Lot, y.Lot));
        return [.. open.Select(pair => new SpecOpenLot(pair.Lot.LotId, pair.Lot.IssuerChainId, pair.Lot.Points, pair.Remaining, pair.Lot.EarnedAt, pair.Lot.AvailableAt, pair.Lot.ExpiresAt))];
    }

    /// <summary>Every lot ever awarded with what of it is neither reversed, repaid to debt nor expired (durably or lazily) at <paramref name="now"/>.</summary>
    public IReadOnlyList<(SpecLot Lot, long Remaining)> AllLots(DateTimeOffset now)
    {
        var held = new Dictionary<SpecLot, long>(ReferenceEqualityComparer.Instance);
        foreach (var point in _points)
        {
            if (IsHeld(point, now))
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
    }

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
