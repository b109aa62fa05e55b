using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Tests.Unit.Wallet;

/// <summary>
/// One member's wallet driven through the decider the way the store would: each change's state kept,
/// each change's entries appended to the member's statement.
/// </summary>
internal sealed class WalletUnderTest(WalletRules rules)
{
    private readonly List<StatementEntry> _statement = [];

    public WalletUnderTest()
        : this(WalletRules.Default)
    {
    }

    public WalletRules Rules { get; set; } = rules;

    public WalletState State { get; private set; } = WalletState.Empty;

    public IReadOnlyList<StatementEntry> Statement => _statement;

    public IReadOnlyList<StatementEntry> Award(string lotId, long points, DateTimeOffset now, int pendingDays = 7, string issuer = "hualian") =>
        Apply(WalletDecider.Award(State, lotId, issuer, points, now, TimeSpan.FromDays(pendingDays), Rules));

    public StatementEntry Reverse(string reference, long points, string? originalLotId, DateTimeOffset now, string chainId = "hualian") =>
        Assert.Single(Apply(WalletDecider.Reverse(State, reference, chainId, points, originalLotId, now)));

    public IReadOnlyList<StatementEntry> ExpireDue(DateTimeOffset now) => Apply(WalletDecider.Settle(State, now));

    public WalletBalance BalanceAt(DateTimeOffset now) => WalletDecider.BalanceAt(State, now);

    public Lot Lot(string lotId) => Assert.Single(State.Lots, lot => lot.LotId == lotId);

    /// <summary>The statement as it reads at <paramref name="now"/>: the postings made, and the expiries due but not yet made durable.</summary>
    public long StatementSumAt(DateTimeOffset now) => _statement.Sum(entry => entry.Points) + WalletDecider.DueEntries(State, now).Sum(entry => entry.Points);

    /// <summary>Both equalities of wallet.md's balance, and the statement summing to it.</summary>
    public void AssertConsistentAt(DateTimeOffset now)
    {
        var balance = BalanceAt(now);
        Assert.Equal(balance.Earned - balance.Reversed - balance.Redeemed - balance.Expired, balance.Balance);
        Assert.Equal(balance.Available + balance.Pending + balance.Reserved - balance.Debt, balance.Balance);
        Assert.Equal(balance.Balance, StatementSumAt(now));
    }

    private IReadOnlyList<StatementEntry> Apply(WalletChange change)
    {
        State = change.State;
        _statement.AddRange(change.Entries);
        return change.Entries;
    }
}
