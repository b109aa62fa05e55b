using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;
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

    public static Task<List<StatementEntryView>> StatementAsync(ScoringHarness harness, string memberId) => StatementAsync(harness.Services, memberId);

    public static async Task<List<StatementEntryView>> StatementAsync(IServiceProvider services, string memberId)
    {
        var entries = new List<StatementEntryView>();
        string? continuation = null;
        do
        {
            var (page, error) = await services.GetRequiredService<WalletReads>().StatementAsync(memberId, Operator, new StatementQuery(null, null, continuation), CancellationToken.None);
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

    /// <summary>The <c>points.expired</c> events of <paramref name="members"/> on the local event queue, one per event id.</summary>
    public static async Task<List<(string MemberId, long Points, string Id)>> ExpiryEventsAsync(AzuriteFixture azurite, IReadOnlyCollection<string> members)
    {
        var queue = azurite.Queues.GetQueueClient("greenpoints-events");
        var found = new Dictionary<string, (string, long, string)>(StringComparer.Ordinal);
        var seen = 0;
        await foreach (var message in PeekAllAsync(queue))
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.GetProperty("type").GetString() == "cn.greenpoints.points.expired"
                && root.GetProperty("data").GetProperty("memberId").GetString() is { } memberId && members.Contains(memberId))
            {
                seen++;
                found[root.GetProperty("id").GetString()!] = (memberId, root.GetProperty("data").GetProperty("points").GetInt64(), root.GetProperty("id").GetString()!);
            }
        }

        Assert.True(seen >= found.Count);
        return [.. found.Values];
    }

    /// <summary>Every message of the queue, by receiving and releasing at once (peek stops at 32).</summary>
    private static async IAsyncEnumerable<string> PeekAllAsync(Azure.Storage.Queues.QueueClient queue)
    {
        var received = new List<Azure.Storage.Queues.Models.QueueMessage>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            if (batch.Length == 0)
            {
                break;
            }

            received.AddRange(batch);
        }

        foreach (var message in received)
        {
            yield return message.Body.ToString();
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }
    }
}
