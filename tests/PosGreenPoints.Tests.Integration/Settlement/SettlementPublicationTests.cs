using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Integration.Points;

namespace PosGreenPoints.Tests.Integration.Settlement;

/// <summary>settlement.md against Azurite: real receipts scored, then their day settled "tomorrow".</summary>
[Collection(SharedAzurite.Name)]
public sealed class SettlementPublicationTests(AzuriteFixture azurite)
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly Dictionary<string, string?> Settings = new() { ["Settlement:HmacKey"] = "integration-settlement-key-0123456789abcdef" };

    [Fact]
    public async Task Scored_receipts_settle_to_a_file_whose_sums_equal_the_manifest_and_the_ledger()
    {
        var chainId = SampleReceipts.NewChainId("settle");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        foreach (var receipt in await harness.TakeInAsync(
            ScoringHarness.Sale(chainId, "S-1", ScoringHarness.NewMemberId(), 100.00m, gtin),
            ScoringHarness.Sale(chainId, "S-2", null, 33.30m, gtin),
            ScoringHarness.Sale(chainId, "S-3", ScoringHarness.NewMemberId(), 12.34m, gtin)))
        {
            Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(receipt));
        }

        var day = Today();
        await using var services = Tomorrow(day);
        var outcome = await SettleAsync(services, chainId, day);

        var manifest = Assert.IsType<SettlementOutcome.Published>(outcome).Manifest;
        var bytes = await DownloadCsvAsync(chainId, day);
        Assert.Equal(manifest.File.Bytes, bytes.Length);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), manifest.File.Sha256);
        var rows = ParseRows(bytes);
        Assert.Equal(3, manifest.RowCount);
        Assert.Equal(3, manifest.ReceiptCount);
        Assert.Equal(rows.Count, manifest.RowCount);
        Assert.Equal(manifest.QualifyingAmount, SettlementCsv.Money(rows.Sum(row => row.Amount)));
        Assert.Equal(manifest.NetPoints, rows.Sum(row => row.Points));
        Assert.Equal("145.64", manifest.QualifyingAmount);

        var ledger = new List<LedgerPosting>();
        await foreach (var posting in services.GetRequiredService<Ledger>().ReadDayAsync(chainId, day, CancellationToken.None))
        {
            ledger.Add(posting);
        }

        Assert.Equal(ledger.Count, manifest.RowCount);
        Assert.Equal(ledger.Sum(posting => posting.Points), manifest.NetPoints);
        Assert.Equal(ledger.Sum(posting => decimal.Parse(posting.QualifyingAmount, CultureInfo.InvariantCulture)), rows.Sum(row => row.Amount));
        Assert.Equal(ledger.Count(posting => posting.MemberId is null), rows.Count(row => row.MemberRef.Length == 0));
        Assert.All(rows.Where(row => row.MemberRef.Length > 0), row => Assert.Matches("^[0-9a-f]{32}$", row.MemberRef));
    }

    [Fact]
    public async Task Two_generators_at_once_publish_one_file_and_a_rerun_changes_nothing()
    {
        var chainId = SampleReceipts.NewChainId("race");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        foreach (var receipt in await harness.TakeInAsync(ScoringHarness.Sale(chainId, "R-1", ScoringHarness.NewMemberId(), 80.00m, gtin)))
        {
            Assert.Equal(ScoringResult.Scored, await harness.ScoreAsync(receipt));
        }

        var day = Today();
        await using var first = Tomorrow(day);
        await using var second = Tomorrow(day);
        using var start = new ManualResetEventSlim();
        var runs = new[] { first, second }.Select(services => Task.Run(async () =>
        {
            start.Wait();
            return await SettleAsync(services, chainId, day);
        })).ToList();
        start.Set();
        var outcomes = await Task.WhenAll(runs);

        var manifests = outcomes.Select(Manifest).ToList();
        Assert.Single(outcomes.OfType<SettlementOutcome.Published>());
        Assert.Equal(manifests[0].File, manifests[1].File);
        Assert.Equal(manifests[0].GeneratedAt, manifests[1].GeneratedAt);
        var container = azurite.Blobs.GetBlobContainerClient("settlements");
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(prefix: chainId + "/"))
        {
            names.Add(blob.Name);
        }

        Assert.Equal([SettlementStore.CsvPath(chainId, day), SettlementStore.ManifestPath(chainId, day)], names.Order(StringComparer.Ordinal));
        var etag = (await container.GetBlobClient(SettlementStore.CsvPath(chainId, day)).GetPropertiesAsync()).Value.ETag;

        var rerunClock = new FakeTimeProvider(DayEnd(day).AddDays(1));
        await using var later = AppServices.Build(azurite, rerunClock, Settings);
        var rerun = Assert.IsType<SettlementOutcome.Unchanged>(await SettleAsync(later, chainId, day));

        Assert.Equal(manifests[0].GeneratedAt, rerun.Manifest.GeneratedAt);
        Assert.Equal(manifests[0].File, rerun.Manifest.File);
        Assert.Equal(etag, (await container.GetBlobClient(SettlementStore.CsvPath(chainId, day)).GetPropertiesAsync()).Value.ETag);
    }

    [Fact]
    public async Task An_empty_day_gets_a_header_only_file_and_a_zero_manifest()
    {
        var chainId = SampleReceipts.NewChainId("empty");
        var day = Today();
        await using var services = Tomorrow(day);
        await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new("Empty chain"), CancellationToken.None);

        var manifest = Assert.IsType<SettlementOutcome.Published>(await SettleAsync(services, chainId, day)).Manifest;

        Assert.Equal("\uFEFF" + string.Join(',', SettlementCsv.Columns) + "\r\n", Encoding.UTF8.GetString(await DownloadCsvAsync(chainId, day)));
        Assert.Equal((0, 0, "0.00", 0L, 0L, 0L), (manifest.RowCount, manifest.ReceiptCount, manifest.QualifyingAmount, manifest.PointsAwarded, manifest.PointsReversed, manifest.NetPoints));
        Assert.Equal("Asia/Shanghai", manifest.TimeZone);
        Assert.Equal(TimeSpan.FromHours(8), manifest.GeneratedAt.Offset);
    }

    [Fact]
    public async Task A_day_is_open_until_it_has_ended_in_the_chain_zone_plus_the_grace()
    {
        var chainId = SampleReceipts.NewChainId("open");
        var day = Today();
        var clock = new FakeTimeProvider(DayEnd(day).AddMinutes(29));
        await using var services = AppServices.Build(azurite, clock, Settings);
        await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new("Open chain"), CancellationToken.None);

        var open = Assert.IsType<SettlementOutcome.DayOpen>(await SettleAsync(services, chainId, day));
        Assert.Equal(DayEnd(day).AddMinutes(30), open.SettleableFrom);
        Assert.Null(await services.GetRequiredService<SettlementStore>().GetManifestAsync(chainId, day, CancellationToken.None));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.IsType<SettlementOutcome.Published>(await SettleAsync(services, chainId, day));
    }

    [Fact]
    public async Task The_nightly_run_catches_up_missed_days_but_none_before_the_chain_existed()
    {
        var chainId = SampleReceipts.NewChainId("nightly");
        var day = Today();
        await using var registration = AppServices.Build(azurite, settings: Settings);
        await registration.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new("Nightly chain"), CancellationToken.None);
        var clock = new FakeTimeProvider(DayEnd(day).AddDays(2).AddHours(2.5));
        await using var services = AppServices.Build(azurite, clock, Settings);
        var store = services.GetRequiredService<SettlementStore>();

        await services.GetRequiredService<DailySettlement>().RunAsync(CancellationToken.None);
        await services.GetRequiredService<DailySettlement>().RunAsync(CancellationToken.None);

        var settled = await store.ListAsync(chainId, day.AddDays(-7), day.AddDays(7), CancellationToken.None);
        Assert.Equal([day, day.AddDays(1), day.AddDays(2)], settled.Select(manifest => manifest.PostingDate));
    }

    private static DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).DateTime);

    private static DateTimeOffset DayEnd(DateOnly day) =>
        new(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));

    /// <summary>The app as an instance sees it at 02:30 the next morning.</summary>
    private ServiceProvider Tomorrow(DateOnly day) => AppServices.Build(azurite, new FakeTimeProvider(DayEnd(day).AddHours(2.5)), Settings);

    private static async Task<SettlementOutcome> SettleAsync(ServiceProvider services, string chainId, DateOnly day)
    {
        var chain = await services.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None);
        Assert.NotNull(chain);
        return await services.GetRequiredService<SettlementWriter>().SettleAsync(chain, day, CancellationToken.None);
    }

    private static SettlementManifest Manifest(SettlementOutcome outcome) => outcome switch
    {
        SettlementOutcome.Published published => published.Manifest,
        SettlementOutcome.Unchanged unchanged => unchanged.Manifest,
        _ => throw new Xunit.Sdk.XunitException($"Unexpected outcome {outcome}"),
    };

    private async Task<byte[]> DownloadCsvAsync(string chainId, DateOnly day) =>
        (await azurite.Blobs.GetBlobContainerClient("settlements").GetBlobClient(SettlementStore.CsvPath(chainId, day)).DownloadContentAsync()).Value.Content.ToArray();

    private static List<(decimal Amount, long Points, string MemberRef)> ParseRows(byte[] bytes) =>
        [.. CsvFiles.Rows(bytes).Select(row => (
            decimal.Parse(row["qualifying_amount"], NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            long.Parse(row["points"], CultureInfo.InvariantCulture),
            row["member_ref"]))];
}
