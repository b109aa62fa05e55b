using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Integration.Points;

namespace PosGreenPoints.Tests.Integration.Wallet;

/// <summary>
/// A deployment's member bucket count (Members:BucketCount): scoring, wallets, the expiry timer (which walks
/// every bucket) and settlement give the same figures at 1, 16 and 64 buckets, members land in the
/// partition their id hashes to, and another count on the same table is refused. Each count gets an Azurite
/// of its own: the count is recorded in the table, so counts cannot share one.
/// </summary>
public sealed class MemberBucketCountTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(64)]
    public async Task Scoring_wallets_expiry_and_settlement_hold_at_the_bucket_count(int buckets)
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        try
        {
            await RunAsync(azurite, buckets);
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    private static async Task RunAsync(AzuriteFixture azurite, int buckets)
    {
        var chainId = SampleReceipts.NewChainId("buckets");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var harness = await StartAsync(azurite, chainId, clock, buckets);
        var gtin = await harness.GreenAndLowVocGtinAsync();

        // 24 members, fixed ids so that which buckets they fill is the same every run; a sale each of
        // 20 + 2i yuan on the green line (1.5 points a yuan: 30 + 3i points) and 1 yuan of a plain line (none);
        // every fourth sale is returned in full, which takes back all of its points.
        var members = Enumerable.Range(0, 24).Select(index => $"BUCKET-MEMBER-{index:D2}").ToList();
        var sales = members.Select((memberId, index) => ScoringHarness.Sale(chainId, $"S-{index}", memberId, 20 + (2 * index), gtin)).ToArray();
        var returned = Enumerable.Range(0, members.Count).Where(index => index % 4 == 0).ToList();
        var returns = returned.Select(index => ScoringHarness.Return(sales[index], $"R-{index}")).ToArray();
        foreach (var receipt in await harness.TakeInAsync(sales))
        {
            Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(receipt));
        }

        foreach (var receipt in await harness.TakeInAsync(returns))
        {
            Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(receipt));
        }

        var expected = members.Select((_, index) => returned.Contains(index) ? 0L : 30 + (3 * index)).ToList();
        for (var index = 0; index < members.Count; index++)
        {
            var balance = await WalletChecks.AssertConsistentAsync(harness, members[index]);
            Assert.Equal((30L + (3 * index), returned.Contains(index) ? 30L + (3 * index) : 0, expected[index]), (balance.Earned, balance.Reversed, balance.Balance));
        }

        // Every member's wallet is in the partition its id hashes to (wallet.md's layout, computed here
        // from the id, not by the app), and the members fill as many partitions as that says.
        var partitions = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var row in azurite.Tables.GetTableClient("Members").QueryAsync<TableEntity>(row => row.RowKey.CompareTo("!w!") >= 0 && row.RowKey.CompareTo("!w\"") < 0))
        {
            partitions[row.RowKey["!w!".Length..]] = row.PartitionKey;
        }

        Assert.Equal(members.ToDictionary(memberId => memberId, memberId => Bucket(memberId, buckets)), partitions);
        var filled = partitions.Values.Distinct().Count();
        Assert.InRange(filled, 1, buckets);
        if (buckets == 64)
        {
            Assert.True(filled > 16, $"24 members filled only {filled} of 64 buckets");
        }

        // Settlement reads the ledger, not the buckets: its sums are the receipts' whatever the count.
        var days = sales.Concat(returns).Select(BusinessDate).Distinct().Order().ToList();
        clock.SetUtcNow(new DateTimeOffset(days[^1].AddDays(1).ToDateTime(new TimeOnly(2, 30)), TimeSpan.FromHours(8)));
        var chain = (await harness.Services.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None))!;
        var manifests = new List<SettlementManifest>();
        foreach (var day in days)
        {
            manifests.Add(Assert.IsType<SettlementOutcome.Published>(await harness.Services.GetRequiredService<SettlementWriter>().SettleAsync(chain, day, CancellationToken.None)).Manifest);
        }

        Assert.Equal(sales.Length + returns.Length, manifests.Sum(manifest => manifest.ReceiptCount));
        Assert.Equal(expected.Sum(), manifests.Sum(manifest => manifest.NetPoints));

        // The expiry timer walks every bucket: past the validity it expires every point left, in every bucket.
        clock.Advance(TimeSpan.FromDays(800));
        var run = await harness.Services.GetRequiredService<WalletExpiry>().RunAsync(WalletDue.Expiry, CancellationToken.None);
        Assert.Equal((expected.Count(points => points > 0), expected.Sum()), (run.Wallets, run.Points));
        for (var index = 0; index < members.Count; index++)
        {
            var balance = await WalletChecks.AssertConsistentAsync(harness, members[index]);
            Assert.Equal((expected[index], 0L), (balance.Expired, balance.Balance));
        }

        // The count is recorded: an instance configured with another one refuses to read or write a member.
        var other = buckets == 16 ? 64 : 16;
        await using var misconfigured = AppServices.Build(azurite, settings: new Dictionary<string, string?> { ["Members:BucketCount"] = other.ToString(CultureInfo.InvariantCulture) });
        var refused = await Assert.ThrowsAsync<MemberLayoutMismatchException>(() => misconfigured.GetRequiredService<MemberStore>().CheckLayoutAsync(CancellationToken.None));
        Assert.Contains($"laid out in {buckets} member buckets", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MemberLayoutMismatchException>(() => misconfigured.GetRequiredService<WalletReads>().BalanceAsync(members[1], new Caller("tests", Role.Operator, new HashSet<string>()), CancellationToken.None));
        var startCheck = misconfigured.GetServices<IHostedService>().OfType<MemberLayoutCheck>().Single();
        await Assert.ThrowsAsync<MemberLayoutMismatchException>(() => startCheck.StartAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(512)]
    public void A_count_that_is_not_a_power_of_two_up_to_256_is_refused_on_start(int buckets)
    {
        var options = new MemberBucketOptions { BucketCount = buckets };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Contains("Members:BucketCount", Assert.Single(results).ErrorMessage, StringComparison.Ordinal);
    }

    /// <summary>wallet.md's layout, from the member id alone: the first SHA-256 byte modulo the count, as "m" and two hex digits.</summary>
    private static string Bucket(string memberId, int buckets) =>
        "m" + (SHA256.HashData(Encoding.UTF8.GetBytes(memberId))[0] % buckets).ToString("x2", CultureInfo.InvariantCulture);

    private static DateOnly BusinessDate(System.Text.Json.Nodes.JsonObject receipt) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.Parse((string)receipt["issuedAt"]!, CultureInfo.InvariantCulture), Shanghai).DateTime);

    /// <summary>As <see cref="ScoringHarness.StartAsync(AzuriteFixture, string, FakeTimeProvider?, Azure.Core.Pipeline.HttpPipelinePolicy[])"/>, with the bucket count set.</summary>
    private static async Task<ScoringHarness> StartAsync(AzuriteFixture azurite, string chainId, FakeTimeProvider clock, int buckets)
    {
        var services = AppServices.Build(azurite, clock, new Dictionary<string, string?> { ["Members:BucketCount"] = buckets.ToString(CultureInfo.InvariantCulture) });
        var harness = new ScoringHarness(azurite, services);
        await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new("Bucket count chain"), CancellationToken.None);
        foreach (var list in new[] { "certified-green", "low-voc" })
        {
            await harness.PublishAsync(list, await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.SampleData, list + ".csv")));
        }

        return harness;
    }
}
