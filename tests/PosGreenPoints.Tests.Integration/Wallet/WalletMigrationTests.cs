using System.Globalization;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Integration.Points;

namespace PosGreenPoints.Tests.Integration.Wallet;

/// <summary>
/// Members posted to before wallets existed: a <c>{memberId}!balance</c> row and a marker per receipt,
/// written here in that old shape (the code that wrote them is gone), become wallets on first touch and
/// through the operator's migration, once however many instances get there at once.
/// <para>
/// Each legacy member has a sale of 60 points, a later sale of 150 and a return of the 150 sale. The
/// smaller sale is the older one on purpose: a reversal that did not find its sale would take the
/// oldest lot first, so only the return's own sale being found leaves the 60 lot standing.
/// </para>
/// </summary>
[Collection(SharedAzurite.Name)]
public sealed class WalletMigrationTests(AzuriteFixture azurite)
{
    private static readonly Caller Operator = new("tests", Role.Operator, new HashSet<string>());

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task A_legacy_member_read_for_the_first_time_has_a_wallet_of_its_past_postings_and_no_old_balance()
    {
        var chainId = SampleReceipts.NewChainId("legacy");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var legacy = await WriteLegacyMemberAsync(harness, chainId, "L1");

        var balance = await AssertConsistentAsync(harness, legacy.MemberId);
        Assert.Equal((210L, 150L, 60L, 60L, 0L, 0L), (balance.Earned, balance.Reversed, balance.Balance, balance.Available, balance.Pending, balance.Debt));

        var lot = Assert.Single((await Reads(harness).LotsAsync(legacy.MemberId, Operator, CancellationToken.None))!.Lots);
        Assert.Equal((legacy.SmallSaleId, chainId, 60L, 60L, "available"), (lot.LotId, lot.IssuerChainId, lot.Points, lot.Remaining, lot.Status));
        Assert.Equal(legacy.SmallPostedAt, lot.EarnedAt);
        Assert.Equal(legacy.SmallPostedAt.AddDays(7), lot.AvailableAt);
        Assert.Equal(EndOfTwentyFourthMonthAfter(legacy.SmallPostedAt), lot.ExpiresAt);

        // The statement is newest first; in posting order it is the two awards, then the return's reversal of its own sale.
        var statement = (await StatementAsync(harness, legacy.MemberId)).AsEnumerable().Reverse().ToList();
        Assert.Equal(
            new[]
            {
                (StatementKinds.Award, 60L, legacy.SmallPostedAt, legacy.SmallSaleId),
                (StatementKinds.Award, 150L, legacy.BigPostedAt, legacy.BigSaleId),
                (StatementKinds.Reversal, -150L, legacy.ReturnPostedAt, legacy.BigSaleId),
            },
            statement.Select(entry => (entry.Kind, entry.Points, entry.PostedAt, entry.LotId!)));
        Assert.Equal(60, statement.Sum(entry => entry.Points));
        Assert.Equal(legacy.ReturnId, statement[2].Reference);

        Assert.False(await HasLegacyBalanceAsync(legacy.MemberId));
    }

    [Fact]
    public async Task Migrating_all_members_migrates_each_legacy_member_once_and_a_second_run_changes_nothing()
    {
        var chainId = SampleReceipts.NewChainId("migall");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var members = new List<LegacyMember>();
        for (var index = 0; index < 4; index++)
        {
            members.Add(await WriteLegacyMemberAsync(harness, chainId, $"A{index}"));
        }

        // The run takes every legacy balance on this Azurite: ours, and any another test left unmigrated.
        var legacyBefore = await LegacyBalanceCountAsync();
        Assert.True(legacyBefore >= members.Count);
        var store = harness.Services.GetRequiredService<MemberStore>();
        Assert.Equal(legacyBefore, await store.MigrateAllAsync(CancellationToken.None));
        Assert.Equal(0, await LegacyBalanceCountAsync());

        var before = await SnapshotsAsync(members, withETags: true);
        Assert.All(before, snapshot => Assert.Contains(snapshot, row => row.StartsWith("!w!", StringComparison.Ordinal)));
        Assert.Equal(0, await store.MigrateAllAsync(CancellationToken.None));
        // Same ETags as well as the same content: the second run wrote nothing at all.
        Assert.Equal(before, await SnapshotsAsync(members, withETags: true));

        foreach (var member in members)
        {
            var balance = await AssertConsistentAsync(harness, member.MemberId);
            Assert.Equal((210L, 150L, 60L), (balance.Earned, balance.Reversed, balance.Balance));
            Assert.Equal(member.SmallSaleId, Assert.Single((await Reads(harness).LotsAsync(member.MemberId, Operator, CancellationToken.None))!.Lots).LotId);
        }
    }

    [Fact]
    public async Task A_sale_posted_to_a_legacy_member_migrates_the_member_first_and_adds_to_the_past_postings()
    {
        var chainId = SampleReceipts.NewChainId("legpost");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var legacy = await WriteLegacyMemberAsync(harness, chainId, "P1");

        var sale = ScoringHarness.Sale(chainId, "P1-NEW", legacy.MemberId, 100.00m, gtin);
        var newSale = (await harness.TakeInAsync(sale))[0];
        Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(newSale));
        Assert.False(await HasLegacyBalanceAsync(legacy.MemberId));

        var balance = await AssertConsistentAsync(harness, legacy.MemberId);
        Assert.Equal((210L + 150L, 150L, 60L + 150L, 60L, 150L), (balance.Earned, balance.Reversed, balance.Balance, balance.Available, balance.Pending));
        var lots = (await Reads(harness).LotsAsync(legacy.MemberId, Operator, CancellationToken.None))!.Lots;
        Assert.Equal(
            new[] { (legacy.SmallSaleId, 60L, "available"), (newSale.ReceiptId, 150L, "pending") },
            lots.Select(lot => (lot.LotId!, lot.Remaining, lot.Status)).OrderBy(lot => lot.Item3, StringComparer.Ordinal));

        // The new award is the newest entry, after the migrated ones: the migration ran before the posting, not over it.
        var statement = await StatementAsync(harness, legacy.MemberId);
        Assert.Equal(new[] { StatementKinds.Award, StatementKinds.Reversal, StatementKinds.Award, StatementKinds.Award }, statement.Select(entry => entry.Kind));
        Assert.Equal(newSale.ReceiptId, statement[0].Reference);
    }

    [Fact]
    public async Task Two_instances_reading_a_legacy_member_at_once_leave_the_wallet_a_single_migration_makes()
    {
        var chainId = SampleReceipts.NewChainId("legrace");
        var slow = new SlowTransactions();
        var first = await ScoringHarness.StartAsync(azurite, chainId, slow);
        var second = await ScoringHarness.StartAsync(azurite, chainId, slow);
        var raceSeen = false;
        for (var round = 0; round < 5; round++)
        {
            var legacy = await WriteLegacyMemberAsync(first, chainId, $"R{round}");
            slow.Reset();
            var legacyBalance = (await MembersTable().GetEntityAsync<TableEntity>(MemberBuckets.Default.PartitionKeyOf(legacy.MemberId), legacy.MemberId + "!balance")).Value;

            using var start = new ManualResetEventSlim();
            var reads = new[] { first, second, first, second }.Select(harness => Task.Run(async () =>
            {
                start.Wait();
                return await harness.BalanceAsync(legacy.MemberId);
            })).ToList();
            start.Set();
            var balances = await Task.WhenAll(reads);
            // One migration is two transactions (statement rows, then wallet for balance): more means another migrated alongside.
            raceSeen |= slow.Transactions > 2;
            Assert.All(balances, balance => Assert.Equal((210L, 150L, 60L), (balance.Earned, balance.Reversed, balance.Balance)));
            var raced = await SnapshotAsync(legacy.MemberId, withETags: false);

            // The same member migrated again alone, from the same old rows (migration leaves the markers), is the yardstick.
            await DeleteMigratedRowsAsync(legacy.MemberId);
            await MembersTable().AddEntityAsync(new TableEntity(legacyBalance.PartitionKey, legacyBalance.RowKey)
            {
                ["Earned"] = legacyBalance.GetInt64("Earned"),
                ["Reversed"] = legacyBalance.GetInt64("Reversed"),
                ["UpdatedAt"] = legacyBalance.GetDateTimeOffset("UpdatedAt"),
            });
            await AssertConsistentAsync(first, legacy.MemberId);
            Assert.Equal(await SnapshotAsync(legacy.MemberId, withETags: false), raced);
            Assert.Equal(3, (await StatementAsync(first, legacy.MemberId)).Count);
        }

        Assert.True(raceSeen, "No two migrations of one member overlapped: the test proved nothing about the race.");
    }

    /// <summary>
    /// Takes in the member's real receipts (so the return's body, naming its sale, is stored) without
    /// scoring them, and writes what the code before wallets wrote for them: markers and a balance row.
    /// </summary>
    private async Task<LegacyMember> WriteLegacyMemberAsync(ScoringHarness harness, string chainId, string tag)
    {
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var memberId = ScoringHarness.NewMemberId();
        var big = ScoringHarness.Sale(chainId, $"{tag}-BIG", memberId, 100.00m, gtin);
        var ids = await harness.TakeInAsync(ScoringHarness.Sale(chainId, $"{tag}-SMALL", memberId, 40.00m, gtin), big, ScoringHarness.Return(big, $"{tag}-RET"));

        // Whole seconds, weeks apart and in different months: postings old enough to be available, young enough not to expire.
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var legacy = new LegacyMember(memberId, ids[0].ReceiptId, ids[1].ReceiptId, ids[2].ReceiptId, now.AddDays(-70), now.AddDays(-20), now.AddDays(-10));

        var table = MembersTable();
        await table.CreateIfNotExistsAsync();
        var partitionKey = MemberBuckets.Default.PartitionKeyOf(memberId);
        foreach (var (receiptId, points, postedAt) in new[]
                 {
                     (legacy.SmallSaleId, 60L, legacy.SmallPostedAt),
                     (legacy.BigSaleId, 150L, legacy.BigPostedAt),
                     (legacy.ReturnId, -150L, legacy.ReturnPostedAt),
                 })
        {
            Assert.True(ReceiptKey.TryParse(receiptId, out var key));
            var decision = new ScoringDecision(key.BusinessDate, postedAt, "legacy", memberId, [new DecidedLine(1, "0" + gtin, points > 0 ? 1 : -1, points / 1.5m, points, [])], []);
            await table.AddEntityAsync(new TableEntity(partitionKey, $"{memberId}!posting!{receiptId}")
            {
                ["Points"] = points,
                ["BusinessDate"] = key.BusinessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["LinePoints"] = JsonSerializer.Serialize(new Dictionary<int, long> { [1] = points }),
                ["PostedAt"] = postedAt,
                ["Decision"] = JsonSerializer.Serialize(decision, JsonSerializerOptions.Web),
            });
        }

        await table.AddEntityAsync(new TableEntity(partitionKey, memberId + "!balance")
        {
            ["Earned"] = 210L,
            ["Reversed"] = 150L,
            ["UpdatedAt"] = legacy.ReturnPostedAt,
        });
        return legacy;
    }

    private TableClient MembersTable() => azurite.Tables.GetTableClient("Members");

    private async Task<bool> HasLegacyBalanceAsync(string memberId) =>
        (await MembersTable().GetEntityIfExistsAsync<TableEntity>(MemberBuckets.Default.PartitionKeyOf(memberId), memberId + "!balance")).HasValue;

    private async Task<int> LegacyBalanceCountAsync()
    {
        var count = 0;
        await foreach (var row in MembersTable().QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Reversed ge {0L}"), select: ["RowKey"]))
        {
            count += row.RowKey.EndsWith("!balance", StringComparison.Ordinal) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Removes what a migration wrote for the member (its wallet and statement rows), leaving the markers.</summary>
    private async Task DeleteMigratedRowsAsync(string memberId)
    {
        var table = MembersTable();
        var partitionKey = MemberBuckets.Default.PartitionKeyOf(memberId);
        foreach (var row in await MemberRowsAsync(memberId))
        {
            if (!row.RowKey.Contains("!posting!", StringComparison.Ordinal))
            {
                await table.DeleteEntityAsync(partitionKey, row.RowKey);
            }
        }
    }

    /// <summary>Every row of the member — wallet, markers, statement, any old balance — as key and properties, optionally with the ETag.</summary>
    private async Task<List<string>> SnapshotAsync(string memberId, bool withETags) =>
        (await MemberRowsAsync(memberId))
            .Select(row => string.Join(
                "|",
                new[] { row.RowKey, withETags ? row.ETag.ToString() : "" }.Concat(
                    row.Where(property => property.Key is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey"))
                        .OrderBy(property => property.Key, StringComparer.Ordinal)
                        .Select(property => FormattableString.Invariant($"{property.Key}={property.Value}")))))
            .ToList();

    private async Task<List<List<string>>> SnapshotsAsync(IEnumerable<LegacyMember> members, bool withETags)
    {
        var snapshots = new List<List<string>>();
        foreach (var member in members)
        {
            snapshots.Add(await SnapshotAsync(member.MemberId, withETags));
        }

        return snapshots;
    }

    /// <summary>The member's rows in key order: its wallet (<c>!w!{memberId}</c>) and those under its id.</summary>
    private async Task<List<TableEntity>> MemberRowsAsync(string memberId)
    {
        var partitionKey = MemberBuckets.Default.PartitionKeyOf(memberId);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partitionKey} and (RowKey eq {"!w!" + memberId} or (RowKey ge {memberId + "!"} and RowKey lt {memberId + "\""}))");
        var rows = new List<TableEntity>();
        await foreach (var row in MembersTable().QueryAsync<TableEntity>(filter))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static DateTimeOffset EndOfTwentyFourthMonthAfter(DateTimeOffset earnedAt)
    {
        var local = TimeZoneInfo.ConvertTime(earnedAt, Shanghai);
        return new DateTimeOffset(new DateTime(local.Year, local.Month, 1).AddMonths(25), TimeSpan.FromHours(8));
    }

    private static WalletReads Reads(ScoringHarness harness) => harness.Services.GetRequiredService<WalletReads>();

    /// <summary>The member's balance, after checking both equalities of wallet.md and that the statement sums to it.</summary>
    private static async Task<MemberPointsView> AssertConsistentAsync(ScoringHarness harness, string memberId)
    {
        var balance = (await Reads(harness).BalanceAsync(memberId, Operator, CancellationToken.None))!;
        Assert.NotNull(balance);
        Assert.Equal(balance.Earned - balance.Reversed - balance.Redeemed - balance.Expired, balance.Balance);
        Assert.Equal(balance.Available + balance.Pending + balance.Reserved - balance.Debt, balance.Balance);
        Assert.Equal(balance.Balance, (await StatementAsync(harness, memberId)).Sum(entry => entry.Points));
        return balance;
    }

    private static async Task<List<StatementEntryView>> StatementAsync(ScoringHarness harness, string memberId)
    {
        var entries = new List<StatementEntryView>();
        string? continuation = null;
        do
        {
            var (page, error) = await Reads(harness).StatementAsync(memberId, Operator, new StatementQuery(null, null, continuation), CancellationToken.None);
            Assert.Null(error);
            Assert.NotNull(page);
            entries.AddRange(page.Entries);
            continuation = page.Continuation;
        }
        while (continuation is not null);

        return entries;
    }

    /// <summary>
    /// Holds each entity-group transaction back a little, so that an instance that read the old balance
    /// is still migrating when the other reads it too: without it one usually finishes first and the race
    /// is not run at all.
    /// </summary>
    private sealed class SlowTransactions : HttpPipelinePolicy
    {
        private int _transactions;

        public int Transactions => Volatile.Read(ref _transactions);

        public void Reset() => Interlocked.Exchange(ref _transactions, 0);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (IsTransaction(message))
            {
                Thread.Sleep(Delay);
            }

            ProcessNext(message, pipeline);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (IsTransaction(message))
            {
                await Task.Delay(Delay);
            }

            await ProcessNextAsync(message, pipeline);
        }

        private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(150);

        private bool IsTransaction(HttpMessage message)
        {
            if (message.Request.Method != RequestMethod.Post || !message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal))
            {
                return false;
            }

            Interlocked.Increment(ref _transactions);
            return true;
        }
    }

    /// <summary>A member from before wallets: a sale of 60 points, a later one of 150, and a return of the 150 sale.</summary>
    private sealed record LegacyMember(
        string MemberId,
        string SmallSaleId,
        string BigSaleId,
        string ReturnId,
        DateTimeOffset SmallPostedAt,
        DateTimeOffset BigPostedAt,
        DateTimeOffset ReturnPostedAt);
}
