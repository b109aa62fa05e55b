using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core.Pipeline;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Clearing;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Clearing;

/// <summary>
/// Postings written as the app writes them: wallet changes (the wallet decider's awards and reversals, and
/// redemptions and refunds of redemption.md's shape, built here as the redemption feature is built in
/// parallel) through <see cref="MemberStore.WriteChangesAsync"/>, so that each lands in the posting log in
/// the member's own transaction.
/// </summary>
internal sealed class ClearingScenario(AzuriteFixture azurite)
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public const string HmacKey = "integration-settlement-key-0123456789abcdef";

    public FakeTimeProvider Clock { get; } = new();

    public static DateTimeOffset Local(DateOnly day, int hour, int minute = 0) =>
        new(day.ToDateTime(new TimeOnly(hour, minute)), TimeSpan.FromHours(8));

    public ServiceProvider Services(FakeTimeProvider? clock = null, params HttpPipelinePolicy[] policies) =>
        AppServices.Build(azurite, clock ?? Clock, new Dictionary<string, string?> { ["Clearing:SortChunkRows"] = "3" }, policies);

    public async Task RegisterAsync(ServiceProvider services, DateTimeOffset at, params string[] chainIds)
    {
        Clock.SetUtcNow(at);
        foreach (var chainId in chainIds)
        {
            await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new($"Clearing test {chainId}"), CancellationToken.None);
        }
    }

    public static Task AwardAsync(ServiceProvider services, string memberId, string lotId, string chainId, long points, DateTimeOffset at) =>
        WriteAsync(services, memberId, state => WalletDecider.Award(state, lotId, chainId, points, at, TimeSpan.FromDays(7), WalletRules.Default));

    public static Task ReverseAsync(ServiceProvider services, string memberId, string reference, string chainId, long points, string? originalLotId, DateTimeOffset at, string storeId, string terminalId) =>
        WriteAsync(services, memberId, state =>
        {
            var change = WalletDecider.Reverse(state, reference, chainId, points, originalLotId, at);
            return change with { Entries = [.. change.Entries.Select(entry => entry with { StoreId = storeId, TerminalId = terminalId })] };
        });

    /// <summary>A committed redemption at <paramref name="chainId"/> taking the points named from each lot.</summary>
    public static Task RedeemAsync(ServiceProvider services, string memberId, string redemptionId, string chainId, DateTimeOffset at, string storeId, string terminalId, params (string LotId, long Points)[] takes) =>
        WriteAsync(services, memberId, state =>
        {
            var lots = state.Lots.ToList();
            var taken = new List<LotTake>();
            foreach (var (lotId, points) in takes)
            {
                var index = lots.FindIndex(lot => lot.LotId == lotId);
                taken.Add(new LotTake(lotId, lots[index].IssuerChainId, points));
                lots[index] = lots[index] with { Remaining = lots[index].Remaining - points };
            }

            var total = takes.Sum(take => take.Points);
            var entry = new StatementEntry(at, EntryKinds.Redemption, -total, chainId, redemptionId, null, null, taken)
            { StoreId = storeId, TerminalId = terminalId, YuanPerPoint = 0.01m };
            return new WalletChange(state with { Lots = [.. lots.Where(lot => lot.Remaining > 0)], Redeemed = state.Redeemed + total, UpdatedAt = at }, [entry]);
        });

    /// <summary>A refund at <paramref name="chainId"/> giving points back to lots the wallet still holds.</summary>
    public static Task RefundAsync(ServiceProvider services, string memberId, string refundId, string chainId, DateTimeOffset at, string storeId, string terminalId, params (string LotId, long Points)[] given) =>
        WriteAsync(services, memberId, state =>
        {
            var lots = state.Lots.ToList();
            var taken = new List<LotTake>();
            foreach (var (lotId, points) in given)
            {
                var index = lots.FindIndex(lot => lot.LotId == lotId);
                taken.Add(new LotTake(lotId, lots[index].IssuerChainId, points));
                lots[index] = lots[index] with { Remaining = lots[index].Remaining + points };
            }

            var total = given.Sum(take => take.Points);
            var entry = new StatementEntry(at, EntryKinds.Refund, total, chainId, refundId, null, null, taken)
            { StoreId = storeId, TerminalId = terminalId, YuanPerPoint = 0.01m };
            return new WalletChange(state with { Lots = lots, Redeemed = state.Redeemed - total, UpdatedAt = at }, [entry]);
        });

    public static async Task<byte[]> DownloadAsync(AzuriteFixture azurite, string path)
    {
        var content = await azurite.Blobs.GetBlobContainerClient("clearing").GetBlobClient(path).DownloadContentAsync();
        return content.Value.Content.ToArray();
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The CSV's rows as text cells by column name, after checking the BOM, CRLF and header.</summary>
    public static List<Dictionary<string, string>> ParseCsv(byte[] bytes)
    {
        Assert.True(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "The file starts with a UTF-8 BOM.");
        var text = Encoding.UTF8.GetString(bytes.AsSpan(3));
        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        using var reader = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture));
        reader.Read();
        reader.ReadHeader();
        Assert.Equal(ClearingCsv.Columns, reader.HeaderRecord);
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
        {
            rows.Add(ClearingCsv.Columns.ToDictionary(column => column, column => reader.GetField(column)!));
        }

        return rows;
    }

    private static async Task WriteAsync(ServiceProvider services, string memberId, Func<WalletState, WalletChange> decide)
    {
        var store = services.GetRequiredService<MemberStore>();
        var stored = await store.ReadWalletAsync(memberId, CancellationToken.None) ?? StoredWallet.New(memberId);
        var change = decide(stored.State);
        var notWritten = await store.WriteChangesAsync(MemberBuckets.Default.PartitionKeyOf(memberId), [(stored, change)], CancellationToken.None);
        Assert.Empty(notWritten);
    }
}
