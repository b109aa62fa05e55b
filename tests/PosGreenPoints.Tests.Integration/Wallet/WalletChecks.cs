using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Integration.Points;

namespace PosGreenPoints.Tests.Integration.Wallet;

/// <summary>What every wallet test checks of a member: wallet.md's equalities and a statement that sums to the balance.</summary>
internal static class WalletChecks
{
    private static readonly Caller Operator = new("tests", Role.Operator, new HashSet<string>());

    /// <summary>The member's balance, after checking both equalities of wallet.md and that the statement sums to it.</summary>
    public static async Task<MemberPointsView> AssertConsistentAsync(ScoringHarness harness, string memberId)
    {
        var balance = await harness.BalanceAsync(memberId);
        Assert.Equal(balance.Earned - balance.Reversed - balance.Redeemed - balance.Expired, balance.Balance);
        Assert.Equal(balance.Available + balance.Pending + balance.Reserved - balance.Debt, balance.Balance);
        Assert.Equal(balance.Balance, (await StatementAsync(harness, memberId)).Sum(entry => entry.Points));
        return balance;
    }

    public static async Task<List<StatementEntryView>> StatementAsync(ScoringHarness harness, string memberId)
    {
        var entries = new List<StatementEntryView>();
        string? continuation = null;
        do
        {
            var (page, error) = await harness.Services.GetRequiredService<WalletReads>().StatementAsync(memberId, Operator, new StatementQuery(null, null, continuation), CancellationToken.None);
            Assert.Null(error);
            if (page is null)
            {
                return entries;
            }

            entries.AddRange(page.Entries);
            continuation = page.Continuation;
        }
        while (continuation is not null);

        return entries;
    }
}
