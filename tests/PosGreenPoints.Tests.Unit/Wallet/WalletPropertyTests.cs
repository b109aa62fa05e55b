using System.Globalization;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Tests.Unit.Wallet;

/// <summary>
/// Random members' histories (awards, reversals with and without their sale's lot, time passing across
/// month ends, pending periods and expiries, expiry runs at random moments; reservations at several
/// chains, commits, cancels, holds running out before and across a lot's expiry, refunds of part or all
/// of a redemption, into lots since expired or while in debt) run through the decider and
/// through <see cref="SpecWallet"/>, the independent reading of wallet.md; after every step they must
/// agree on everything a member can see, and wallet.md's invariants must hold. Seeded: a failure names
/// its seed; <c>WALLET_PROPERTY_SEED</c> picks another first seed to explore with.
/// </summary>
public sealed class WalletPropertyTests
{
    private const int Members = 2000;
    private const int StepsPerMember = 24;
    private const int DefaultFirstSeed = 20260315;
    private static readonly string[] Chains = ["hualian", "wumart", "suning"];
    private static readonly int[] Validities = [1, 2, 3, 12, 24];
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public void Random_histories_leave_the_decider_and_the_spec_model_agreeing_after_every_step()
    {
        var firstSeed = int.TryParse(Environment.GetEnvironmentVariable("WALLET_PROPERTY_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var chosen)
            ? chosen
            : DefaultFirstSeed;
        var steps = 0;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var member = 0; member < Members; member++)
        {
            steps += new History(firstSeed + member, seen).Run(StepsPerMember);
        }

        Assert.Equal(Members * StepsPerMember, steps);
        // The histories reach every case the rules tell apart, often enough to matter.
        foreach (var (kind, atLeast) in new[] { ("award", 1000), ("reversal", 1000), ("debt-repayment", 200), ("expiry", 200), ("redemption", 200), ("refund", 100),
            ("refused reservation", 100), ("lapse", 100), ("lapse in debt", 10), ("expired while held", 10), ("refund into an expired lot", 10) })
        {
            Assert.True(seen.GetValueOrDefault(kind) >= atLeast, $"only {seen.GetValueOrDefault(kind)} × {kind} in {steps} steps");
        }
    }

    /// <summary>One member's random history, checked step by step.</summary>
    private sealed class History(int seed, Dictionary<string, int> seen)
    {
        private readonly Random _random = new(seed);
        private readonly List<string> _log = [];
        private readonly List<StatementEntry> _statement = [];
        private readonly List<string> _awardedLotIds = [];
        private readonly Dictionary<(string ChainId, string RedemptionId), (IReadOnlyList<RedeemedLot> Lots, Dictionary<string, long> Refunded)> _committed = [];
        private WalletState _state = WalletState.Empty;
        private WalletRules _rules = WalletRules.Default;
        private SpecWallet _model = null!;
        private DateTimeOffset _now;
        private int _postings;

        public int Run(int steps)
        {
            _rules = WalletRules.Default with { ValidityMonths = Pick(Validities), PendingDays = _random.Next(3) == 0 ? 0 : 7 };
            _model = new SpecWallet(Shanghai, _rules.ValidityMonths);
            _now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(_random.Next(60 * 24 * 400));
            _log.Add($"seed {seed}: start {_now:O}, validity {_rules.ValidityMonths} months, pending {_rules.PendingDays} days");
            for (var step = 1; step <= steps; step++)
            {
                try
                {
                    Step();
                    Check();
                }
                catch (Exception failure)
                {
                    throw new InvalidOperationException(
                        $"Wallet property failed with seed {seed} at step {step} (rerun with WALLET_PROPERTY_SEED={seed}):{Environment.NewLine}"
                        + $"{failure.Message}{Environment.NewLine}History:{Environment.NewLine}{string.Join(Environment.NewLine, _log)}",
                        failure);
                }
            }

            return steps;
        }

        private void Step()
        {
            if (_random.Next(100) < 60)
            {
                Advance();
            }

            var roll = _random.Next(100);
            if (roll < 6)
            {
                // A new rules version: lots already awarded keep their expiry.
                _rules = _rules with { ValidityMonths = Pick(Validities) };
                _model.ValidityMonths = _rules.ValidityMonths;
                _log.Add($"{_now:O} rules: validity {_rules.ValidityMonths} months");
            }
            else if (roll < 32)
            {
                Award();
            }
            else if (roll < 50)
            {
                Reverse();
            }
            else if (roll < 60)
            {
                ExpireDue();
            }
            else if (roll < 72)
            {
                Reserve();
            }
            else if (roll < 80)
            {
                Commit();
            }
            else if (roll < 84)
            {
                Cancel();
            }
            else if (roll < 90)
            {
                Refund();
            }
            else
            {
                Advance();
            }
        }

        /// <summary>As the store does before a receipt's posting: holds that ran out are released first.</summary>
        private void ReleaseLapsed()
        {
            _log.Add($"{_now:O} release lapsed");
            var change = WalletDecider.ReleaseLapsed(_state, _now);
            var expected = _model.ReleaseLapsed(_now);
            Apply(change, expected);
        }

        /// <summary>As a redemption does before it decides: time's work made durable first.</summary>
        private void Settle()
        {
            _log.Add($"{_now:O} settle");
            var change = WalletDecider.Settle(_state, _now);
            var expected = _model.ExpireDue(_now);
            Apply(change, expected);
        }

        private void Reserve()
        {
            Settle();
            var chain = Pick(Chains);
            var redemptionId = $"X-{++_postings}";
            var points = _random.Next(1, 13);
            // Mostly the usual quarter of an hour; sometimes long, so that holds run across lots' expiries.
            var until = _now + (_random.Next(4) == 0 ? TimeSpan.FromDays(_random.Next(1, 40)) : TimeSpan.FromMinutes(15));
            var change = WalletDecider.Reserve(_state, chain, redemptionId, points, _now, until);
            var held = _model.Reserve(chain, redemptionId, points, _now, until);
            _log.Add($"{_now:O} reserve {redemptionId} {points} at {chain} until {until:O}: {(held ? "held" : "too few")}");
            That(held == change is not null, () => $"reserve {redemptionId}: spec {(held ? "held" : "refused")}, decider {(change is null ? "refused" : "held")}");
            if (change is null)
            {
                Seen("refused reservation");
                return;
            }

            Apply(change, []);
            if (_random.Next(5) < 2)
            {
                // commit: true, a gate with no separate completion step.
                CommitHold(WalletDecider.FindHold(_state, chain, redemptionId)!);
            }
        }

        private void Commit()
        {
            Settle();
            if (_state.Holds.Count == 0)
            {
                return;
            }

            CommitHold(Pick(_state.Holds));
        }

        private void CommitHold(Hold hold)
        {
            _log.Add($"{_now:O} commit {hold.RedemptionId}");
            var (change, redeemed) = WalletDecider.Commit(_state, hold.ChainId, hold.RedemptionId, _now, 0.01m, "S1", "T1")!.Value;
            Apply(change, [_model.Commit(hold.ChainId, hold.RedemptionId, _now)]);
            That(redeemed.Sum(lot => lot.Points) == hold.Points, () => $"commit of {hold.Points} redeemed {redeemed.Sum(lot => lot.Points)}");
            _committed[(hold.ChainId, hold.RedemptionId)] = (redeemed, new Dictionary<string, long>(StringComparer.Ordinal));
        }

        private void Cancel()
        {
            Settle();
            if (_state.Holds.Count == 0)
            {
                return;
            }

            var hold = Pick(_state.Holds);
            _log.Add($"{_now:O} cancel {hold.RedemptionId}");
            Apply(WalletDecider.Cancel(_state, hold.ChainId, hold.RedemptionId, _now)!, _model.Cancel(hold.ChainId, hold.RedemptionId, _now));
        }

        private void Refund()
        {
            Settle();
            var refundable = _committed.Where(pair => _model.Refundable(pair.Key.ChainId, pair.Key.RedemptionId) > 0).Select(pair => pair.Key).ToList();
            if (refundable.Count == 0)
            {
                return;
            }

            var key = Pick(refundable);
            var (lots, refunded) = _committed[key];
            var left = _model.Refundable(key.ChainId, key.RedemptionId);
            That(left == lots.Sum(lot => lot.Points) - refunded.Values.Sum(), () => $"refundable of {key}: spec {left}, harness {lots.Sum(lot => lot.Points) - refunded.Values.Sum()}");
            var points = _random.Next(2) == 0 ? left : _random.Next(1, (int)left + 1);
            var refundId = $"F-{++_postings}";
            _log.Add($"{_now:O} refund {refundId} of {key.RedemptionId}: {points} of {left}");
            var (change, givenBack) = WalletDecider.Refund(_state, key.ChainId, refundId, key.RedemptionId, lots, refunded, points, 0.01m, _now);
            Apply(change, _model.Refund(key.ChainId, refundId, key.RedemptionId, points, _now));
            foreach (var take in givenBack)
            {
                refunded[take.LotId] = refunded.GetValueOrDefault(take.LotId) + take.Points;
            }
        }

        private void Award()
        {
            var lotId = $"{(char)('a' + _random.Next(26))}-{++_postings}";
            var issuer = Pick(Chains);
            var points = _random.Next(1, 16);
            var pendingDays = _random.Next(10) switch
            {
                0 => 0,
                1 => _random.Next(1, 11),
                2 => 60,
                _ => _rules.PendingDays,
            };
            ReleaseLapsed();
            _log.Add($"{_now:O} award {lotId} {points} by {issuer}, pending {pendingDays} days");
            var change = WalletDecider.Award(_state, lotId, issuer, points, _now, TimeSpan.FromDays(pendingDays), _rules);
            var expected = _model.Award(lotId, issuer, points, _now, pendingDays);
            _awardedLotIds.Add(lotId);
            Apply(change, expected);
        }

        private void Reverse()
        {
            var reference = $"R-{++_postings}";
            var chain = Pick(Chains);
            var points = _random.Next(1, 21);
            var originalLotId = _random.Next(20) switch
            {
                < 9 when _awardedLotIds.Count > 0 => Pick(_awardedLotIds),
                < 11 => $"unknown-{_postings}",
                _ => null,
            };
            ReleaseLapsed();
            _log.Add($"{_now:O} reverse {reference} {points} at {chain}, sale {originalLotId ?? "none"}");
            var change = WalletDecider.Reverse(_state, reference, chain, points, originalLotId, _now);
            var expected = _model.Reverse(reference, chain, points, originalLotId, _now);
            Apply(change, [expected]);
        }

        private void ExpireDue()
        {
            _log.Add($"{_now:O} expire due");
            var before = WalletDecider.BalanceAt(_state, _now);
            var change = WalletDecider.Settle(_state, _now);
            var expected = _model.ExpireDue(_now);
            Apply(change, expected);

            // Making expiry durable only records what the balance already showed.
            Same(before with { UpdatedAt = null }, WalletDecider.BalanceAt(_state, _now) with { UpdatedAt = null });
        }

        private void Apply(WalletChange change, IReadOnlyList<SpecEntry> expected)
        {
            SameEntries(expected, change.Entries);
            foreach (var entry in change.Entries)
            {
                Seen(entry.Kind);
                if (entry.Kind == EntryKinds.Expiry && entry.Note is { } note)
                {
                    Seen(note.StartsWith("held by", StringComparison.Ordinal) ? "expired while held" : "refund into an expired lot");
                }
            }

            foreach (var hold in change.Lapsed)
            {
                Seen("lapse");
                if (change.Entries.Any(entry => entry.Kind == EntryKinds.DebtRepayment && entry.PostedAt == hold.ReservedUntil))
                {
                    Seen("lapse in debt");
                }
            }
            foreach (var entry in change.Entries)
            {
                That(entry.PostedAt <= _now, () => $"{Show(entry)} is dated after {_now:O}");
            }

            _state = change.State;
            _statement.AddRange(change.Entries);
        }

        /// <summary>Time passes: a little, days, exactly to a lot's availability or expiry, to a month's last minute, months, years.</summary>
        private void Advance()
        {
            var roll = _random.Next(100);
            var from = _now;
            if (roll < 25)
            {
                _now = _now.AddSeconds(_random.Next(1, 6 * 3600));
            }
            else if (roll < 50)
            {
                _now = _now.AddDays(_random.Next(0, 11)).AddMinutes(_random.Next(24 * 60));
            }
            else if (roll < 68)
            {
                var boundaries = _model.AllLots(_now)
                    .SelectMany(lot => new[] { lot.Lot.AvailableAt, lot.Lot.ExpiresAt })
                    .Concat(_state.Lots.SelectMany(lot => new[] { lot.AvailableAt, lot.ExpiresAt }))
                    .Concat(_state.Holds.Select(hold => hold.ReservedUntil))
                    .Where(instant => instant > _now)
                    .ToList();
                if (boundaries.Count > 0)
                {
                    var boundary = Pick(boundaries);
                    _now = _random.Next(4) == 0 ? boundary.AddTicks(-1) : boundary;
                }
            }
            else if (roll < 80)
            {
                // The last minutes of a month in the scheme zone, where the UTC date is still the day before's.
                var local = TimeZoneInfo.ConvertTime(_now, Shanghai);
                var firstOfNextMonth = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
                var target = new DateTimeOffset(firstOfNextMonth, Shanghai.GetUtcOffset(firstOfNextMonth)).AddMinutes(-_random.Next(0, 3)).AddSeconds(_random.Next(2) == 0 ? 0 : 59);
                _now = target > _now ? target : _now;
            }
            else if (roll < 93)
            {
                _now = _now.AddDays(_random.Next(20, 71)).AddMinutes(_random.Next(24 * 60));
            }
            else
            {
                _now = _now.AddDays(_random.Next(200, 800));
            }

            if (_now != from)
            {
                _log.Add($"{_now:O} (local {TimeZoneInfo.ConvertTime(_now, Shanghai):yyyy-MM-dd HH:mm:ss.fffffff})");
            }
        }

        private void Check()
        {
            CheckAt(_now);

            // The figures are read at any instant, also later ones where more lots have lazily expired.
            CheckAt(_now.AddDays(_random.Next(0, 900)).AddMinutes(_random.Next(24 * 60)));

            That(_model.Chains.SequenceEqual(_state.Chains, StringComparer.Ordinal), () => $"chains {string.Join(",", _state.Chains)}, spec {string.Join(",", _model.Chains)}");
            foreach (var lot in _state.Lots)
            {
                var held = _state.Holds.SelectMany(hold => hold.Takes).Where(take => take.LotId == lot.LotId).Sum(take => take.Points);
                That(lot.Remaining >= 1 && lot.Remaining <= lot.Points && lot.Reserved >= 0 && lot.Reserved <= lot.Remaining && lot.Reserved == held,
                    () => $"lot out of bounds: {lot}, its holds {held}");
            }

            foreach (var (lot, remaining) in _model.AllLots(_now))
            {
                That(remaining >= 0 && remaining <= lot.Points, () => $"spec lot out of bounds: {lot} remaining {remaining}");
            }

            That(_state.Lots.Select(lot => lot.LotId).Distinct(StringComparer.Ordinal).Count() == _state.Lots.Count, () => "a lot id twice");
        }

        private void CheckAt(DateTimeOffset instant)
        {
            var balance = WalletDecider.BalanceAt(_state, instant);
            var expected = _model.Balance(instant);
            Same(expected, ToSpec(balance));

            That(balance.Balance == balance.Earned - balance.Reversed - balance.Redeemed - balance.Expired, () => $"balance ≠ earned − reversed − redeemed − expired at {instant:O}: {balance}");
            That(balance.Balance == balance.Available + balance.Pending + balance.Reserved - balance.Debt, () => $"balance ≠ available + pending + reserved − debt at {instant:O}: {balance}");
            That(expected.Balance == expected.Available + expected.Pending + expected.Reserved - expected.Debt, () => $"the spec model's own equality at {instant:O}: {expected}");

            var due = WalletDecider.DueEntries(_state, instant);
            SameEntries(_model.DueExpiries(instant), due);
            var statementSum = _statement.Sum(entry => entry.Points) + due.Sum(entry => entry.Points);
            That(statementSum == balance.Balance, () => $"statement sums to {statementSum}, balance {balance.Balance} at {instant:O}");

            That(balance.Available >= 0 && balance.Pending >= 0 && balance.Debt >= 0, () => $"negative figure in {balance}");
            That(balance.Debt == 0 || (balance.Available == 0 && balance.Pending == 0), () => $"in debt with points to spend at {instant:O}: {balance}");

            var openLots = WalletDecider.OpenLots(_state, instant)
                .Select(lot => new SpecOpenLot(lot.LotId, lot.IssuerChainId, lot.Points, lot.Remaining, lot.EarnedAt, lot.AvailableAt, lot.ExpiresAt))
                .ToList();
            var expectedLots = _model.OpenLots(instant);
            if (!expectedLots.SequenceEqual(openLots))
            {
                Assert.Fail($"open lots differ:{Environment.NewLine}spec{Lines(expectedLots)}{Environment.NewLine}decider{Lines(openLots)}");
            }
        }

        private void Seen(string kind) => seen[kind] = seen.GetValueOrDefault(kind) + 1;

        private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

        // The checks run some hundred thousand times: plain comparisons, and xunit's asserts only to report a difference.
        private static void That(bool holds, Func<string> failure)
        {
            if (!holds)
            {
                Assert.Fail(failure());
            }
        }

        private static void Same<T>(T expected, T actual)
            where T : IEquatable<T>
        {
            if (!expected.Equals(actual))
            {
                Assert.Fail($"differ:{Environment.NewLine}spec    {expected}{Environment.NewLine}decider {actual}");
            }
        }

        private static void SameEntries(IReadOnlyList<SpecEntry> expected, IReadOnlyList<StatementEntry> actual)
        {
            if (expected.Count != actual.Count || expected.Where((entry, index) => !Matches(entry, actual[index])).Any())
            {
                Assert.Fail($"entries differ:{Environment.NewLine}spec{Lines(expected)}{Environment.NewLine}decider{Lines(actual.Select(Show))}");
            }
        }

        private static string Lines<T>(IEnumerable<T> items) => string.Concat(items.Select(item => $"{Environment.NewLine}  {item}"));

        private static bool Matches(SpecEntry expected, StatementEntry actual) =>
            expected.PostedAt == actual.PostedAt && expected.Kind == actual.Kind && expected.Points == actual.Points
            && expected.ChainId == actual.ChainId && expected.Reference == actual.Reference && expected.LotId == actual.LotId
            && expected.Taken.Count == actual.Taken.Count
            && expected.Taken.Zip(actual.Taken).All(pair => pair.First.LotId == pair.Second.LotId && pair.First.IssuerChainId == pair.Second.IssuerChainId && pair.First.Points == pair.Second.Points);
    }

    private static SpecBalance ToSpec(WalletBalance balance) => new(
        balance.Balance, balance.Available, balance.Pending, balance.Reserved, balance.Debt,
        balance.Earned, balance.Reversed, balance.Redeemed, balance.Expired,
        balance.NextExpiryPoints, balance.NextExpiryAt, balance.UpdatedAt);

    private static string Show(StatementEntry entry) =>
        new SpecEntry(entry.PostedAt, entry.Kind, entry.Points, entry.ChainId, entry.Reference, entry.LotId,
            [.. entry.Taken.Select(take => new SpecTake(take.LotId, take.IssuerChainId, take.Points))]).ToString();
}
