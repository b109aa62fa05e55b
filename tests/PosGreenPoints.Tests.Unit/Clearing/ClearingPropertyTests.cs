using System.Globalization;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Functions.Clearing;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Tests.Unit.Clearing;

/// <summary>
/// Thousands of random clearing days, each built from random postings of random members at four chains
/// through the wallet decider (awards, returns that take other chains' lots and leave debt, awards that
/// repay it, expiries) and synthetic redemptions and refunds of redemption.md's shape; each day goes
/// through the real file path (mapping, spool with spilled runs, CSV writer, report). Every day: totalNet
/// is exactly 0.00; A's receivable from B is B's payable to A; every chain's net is the independent
/// calculation's; and each issuer's liability change is what its lots' <c>remaining</c> did.
/// </summary>
public sealed class ClearingPropertyTests
{
    private const int Days = 2000;
    private static readonly string[] Chains = ["hualian", "sh-metro", "suning", "wumart"];
    private static readonly decimal[] Values = [0.01m, 0.02m, 0.05m, 0.10m];
    private static readonly DateOnly Day = new(2026, 3, 15);
    private static readonly MemberPseudonyms Pseudonyms = new("unit-clearing-key-0123456789abcdef0123");

    [Fact]
    public async Task Random_days_net_to_zero_mirror_between_chains_and_equal_the_independent_calculation()
    {
        for (var seed = 0; seed < Days; seed++)
        {
            await CheckDayAsync(seed);
        }
    }

    private static async Task CheckDayAsync(int seed)
    {
        var random = new Random(seed);
        var value = Values[random.Next(Values.Length)];
        var rules = WalletRules.Default with { PendingDays = 0, ValidityMonths = 1, YuanPerPoint = value };
        var start = new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.FromHours(8));
        var members = Enumerable.Range(0, random.Next(1, 6)).Select(index => (Id: $"M{seed}-{index}", State: WalletState.Empty)).ToArray();

        // Points earned the month before (so some expire at 2026-04-01, outside the day) form each member's opening lots.
        for (var index = 0; index < members.Length; index++)
        {
            for (var lot = 0; lot < random.Next(0, 4); lot++)
            {
                members[index].State = WalletDecider.Award(members[index].State, $"OPEN-{index}-{lot}", Pick(random), random.Next(1, 500), start.AddDays(-10), rules.PendingPeriod, rules).State;
            }
        }

        var opening = Remaining(members.Select(member => member.State));
        var log = new List<(string MemberId, StatementEntry Entry)>();
        var redemptions = new List<(int Member, string ChainId, string RedemptionId, List<LotTake> Taken)>();
        var at = start;
        for (var step = 0; step < random.Next(1, 40); step++)
        {
            at = at.AddMinutes(random.Next(1, 30));
            var index = random.Next(members.Length);
            var (memberId, state) = members[index];
            var chainId = Pick(random);
            WalletChange change;
            switch (random.Next(5))
            {
                case 0 or 1:
                    change = WalletDecider.Award(state, $"SALE-{step}", chainId, random.Next(1, 800), at, rules.PendingPeriod, rules);
                    break;
                case 2:
                    var original = state.Lots.Count > 0 && random.Next(2) == 0 ? state.Lots[random.Next(state.Lots.Count)].LotId : null;
                    change = WalletDecider.Reverse(state, $"RET-{step}", chainId, random.Next(1, 900), original, at);
                    break;
                case 3:
                    change = Redeem(state, chainId, $"RED-{step}", random.Next(1, 700), at, value);
                    if (change.Entries.Count > 0)
                    {
                        redemptions.Add((index, chainId, $"RED-{step}", [.. change.Entries[0].Taken]));
                    }

                    break;
                default:
                    var open = redemptions.Where(redemption => redemption.Member == index).ToList();
                    change = open.Count == 0 ? new WalletChange(state, []) : Refund(state, open[random.Next(open.Count)], $"REF-{step}", at, value);
                    break;
            }

            members[index].State = change.State;
            log.AddRange(change.Entries.Select(entry => (memberId, entry.YuanPerPoint is null ? entry with { YuanPerPoint = value } : entry)));
        }

        // The expiry run before clearing: nothing of these lots is due by the day's end, so none is written.
        Assert.All(members, member => Assert.Empty(WalletDecider.DueEntries(member.State, start.AddDays(1))));

        var manifests = await ClearAsync(log, random.Next(2, 9));
        var report = ClearingWriter.Report(Day, manifests);
        Assert.Equal("0.00", report.TotalNet);

        var expected = SpecClearing.OwedFen(log.Select(item => item.Entry));
        foreach (var manifest in manifests)
        {
            Assert.Equal(SpecClearing.NetFen(expected, manifest.ChainId) / 100m, Money(manifest.Net));
            foreach (var counterparty in manifest.Counterparties)
            {
                var mirror = manifests.Single(other => other.ChainId == counterparty.ChainId).Counterparties.Single(other => other.ChainId == manifest.ChainId);
                Assert.Equal((counterparty.Receivable, counterparty.Payable), (mirror.Payable, mirror.Receivable));
            }
        }

        var closing = Remaining(members.Select(member => member.State));
        var movement = log.SelectMany(item => ClearingMapping.Movements(item.Entry)).GroupBy(item => item.ChainId).ToDictionary(group => group.Key, group => group.Sum(item => item.Outstanding));
        foreach (var chainId in Chains)
        {
            Assert.Equal(closing.GetValueOrDefault(chainId) - opening.GetValueOrDefault(chainId), movement.GetValueOrDefault(chainId));
        }
    }

    /// <summary>The day through the writer's own path: both sides of each entry, spooled in small runs, one file per chain.</summary>
    private static async Task<List<ClearingManifest>> ClearAsync(List<(string MemberId, StatementEntry Entry)> log, int chunkRows)
    {
        using var spool = new ClearingSpool(chunkRows);
        foreach (var (memberId, entry) in log)
        {
            foreach (var clearing in ClearingMapping.Entries(memberId, entry))
            {
                var (redeemer, issuer) = ClearingRow.Sides(clearing, Pseudonyms);
                spool.Add(redeemer.SpoolKey());
                spool.Add(issuer.SpoolKey());
            }
        }

        var rows = spool.Sorted().Select(ClearingRow.FromSpoolKey).ToList();
        var manifests = new List<ClearingManifest>();
        foreach (var chainId in Chains)
        {
            using var file = new MemoryStream();
            var totals = await ClearingCsv.WriteAsync(chainId, Day, rows.Where(row => row.ChainId == chainId), file, CancellationToken.None);
            manifests.Add(new ClearingManifest(1, chainId, Day, "Asia/Shanghai", totals.Counterparties, ClearingCsv.Money(totals.Receivable), ClearingCsv.Money(totals.Payable), ClearingCsv.Money(totals.Net),
                0, 0, 0, 0, "0.00", totals.RowCount, new ClearingFile(ClearingCsv.FileName(chainId, Day), totals.Bytes, totals.Sha256), DateTimeOffset.UnixEpoch));
        }

        return manifests;
    }

    /// <summary>redemption.md's commit: available points, lot by lot in redemption order, one entry with a take per lot.</summary>
    private static WalletChange Redeem(WalletState state, string chainId, string redemptionId, long points, DateTimeOffset at, decimal value)
    {
        var lots = state.Lots.ToList();
        var available = WalletDecider.RedemptionOrder(lots.Where(lot => lot.IsAvailableAt(at) && lot.Free > 0)).ToList();
        if (state.DebtPoints > 0 || available.Sum(lot => lot.Free) < points)
        {
            return new WalletChange(state, []);
        }

        var taken = new List<LotTake>();
        var missing = points;
        foreach (var lot in available)
        {
            var take = Math.Min(missing, lot.Free);
            if (take == 0)
            {
                break;
            }

            taken.Add(new LotTake(lot.LotId, lot.IssuerChainId, take));
            lots[lots.IndexOf(lot)] = lot with { Remaining = lot.Remaining - take };
            missing -= take;
        }

        var entry = new StatementEntry(at, EntryKinds.Redemption, -points, chainId, redemptionId, null, null, taken) { StoreId = "S1", TerminalId = "T1", YuanPerPoint = value };
        return new WalletChange(state with { Lots = [.. lots.Where(lot => lot.Remaining > 0)], Redeemed = state.Redeemed + points, UpdatedAt = at }, [entry]);
    }

    /// <summary>A refund of a part of a redemption, back into those of its lots the wallet still has (the latest consumed first).</summary>
    private static WalletChange Refund(WalletState state, (int Member, string ChainId, string RedemptionId, List<LotTake> Taken) redemption, string refundId, DateTimeOffset at, decimal value)
    {
        var lots = state.Lots.ToList();
        var given = new List<LotTake>();
        foreach (var take in Enumerable.Reverse(redemption.Taken))
        {
            var index = lots.FindIndex(lot => lot.LotId == take.LotId);
            if (index < 0 || take.Points < 2)
            {
                continue;
            }

            var back = take.Points / 2;
            lots[index] = lots[index] with { Remaining = lots[index].Remaining + back };
            given.Add(new LotTake(take.LotId, take.IssuerChainId, back));
        }

        if (given.Count == 0)
        {
            return new WalletChange(state, []);
        }

        var points = given.Sum(take => take.Points);
        var entry = new StatementEntry(at, EntryKinds.Refund, points, redemption.ChainId, refundId, null, null, given) { YuanPerPoint = value };
        return new WalletChange(state with { Lots = lots, Redeemed = state.Redeemed - points, UpdatedAt = at }, [entry]);
    }

    private static Dictionary<string, long> Remaining(IEnumerable<WalletState> states) =>
        states.SelectMany(state => state.Lots).GroupBy(lot => lot.IssuerChainId).ToDictionary(group => group.Key, group => group.Sum(lot => lot.Remaining));

    private static string Pick(Random random) => Chains[random.Next(Chains.Length)];

    private static decimal Money(string text) => decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
}
