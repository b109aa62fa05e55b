using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Benchmarks;

/// <summary>Section 2: storage operations per receipt, counted at the SDK, against a real Azurite.</summary>
internal static class StorageBenchmark
{
    private const string Section = "2 Storage ops";
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static async Task RunAsync(Report report, int receipts)
    {
        var azurite = new AzuriteFixture();
        await azurite.StartAsync();
        try
        {
            await using var services = Build(azurite, TimeProvider.System);
            var counter = services.GetRequiredService<StorageOperationCounter>();
            var run = Guid.NewGuid().ToString("N")[..8];
            var singleChain = "bench-single-" + run;
            var batchChain = "bench-batch-" + run;
            var registry = services.GetRequiredService<ChainRegistry>();
            await registry.UpsertAsync(singleChain, new ChainRegistration("Benchmark single"), CancellationToken.None);
            await registry.UpsertAsync(batchChain, new ChainRegistration("Benchmark batch"), CancellationToken.None);
            var listBytes = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.SampleData, "certified-green.csv"));
            using (var list = new MemoryStream(listBytes))
            {
                await services.GetRequiredService<ProductListPublisher>().PublishAsync("certified-green", list, limitBytes: null, CancellationToken.None);
            }

            var gtin = await GreenGtinAsync(services, listBytes);
            var warmChain = "bench-warm-" + run;
            await registry.UpsertAsync(warmChain, new ChainRegistration("Benchmark warm-up"), CancellationToken.None);
            await IntakeAndScoreAsync(services, azurite, counter, [Sale(warmChain, "W-1", gtin)]);

            // (a) single posts.
            long singleIntake = 0, singleScoring = 0;
            for (var i = 0; i < receipts; i++)
            {
                var (intake, scoring) = await IntakeAndScoreAsync(services, azurite, counter, [Sale(singleChain, $"S-{i:D6}", gtin)]);
                singleIntake += intake;
                singleScoring += scoring;
            }

            // (b) batches of 100.
            const int batchSize = 100;
            var batches = Math.Max(1, receipts / batchSize);
            long batchIntake = 0, batchScoring = 0;
            for (var b = 0; b < batches; b++)
            {
                var batch = Enumerable.Range(0, batchSize).Select(i => Sale(batchChain, $"B-{b:D3}-{i:D4}", gtin)).ToArray();
                var (intake, scoring) = await IntakeAndScoreAsync(services, azurite, counter, batch);
                batchIntake += intake;
                batchScoring += scoring;
            }

            var batchReceipts = batches * batchSize;

            // Settlement: "today" is refused while the day is open, so the day is settled by a second copy of
            // the app whose clock stands just after the day can be settled.
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).DateTime);
            var chain = await registry.GetAsync(singleChain, CancellationToken.None) ?? throw new InvalidOperationException("chain missing");
            var refused = await services.GetRequiredService<SettlementWriter>().SettleAsync(chain, day, CancellationToken.None);
            var settleableFrom = services.GetRequiredService<SettlementWriter>().SettleableFrom(chain, day);
            await using var later = Build(azurite, new FixedClock(settleableFrom.AddMinutes(1)));
            var laterCounter = later.GetRequiredService<StorageOperationCounter>();
            var singleSettle = await SettleAsync(later, laterCounter, singleChain, day);
            var batchSettle = await SettleAsync(later, laterCounter, batchChain, day);

            var single = (singleIntake + singleScoring) / (double)receipts;
            var batched = (batchIntake + batchScoring) / (double)batchReceipts;
            var singleSettlePer = singleSettle.Ops / (double)receipts;
            var batchSettlePer = batchSettle.Ops / (double)batchReceipts;
            report.Add(Section, $"single posts ({receipts}): intake", $"{singleIntake / (double)receipts:F2} /receipt", "", null);
            report.Add(Section, $"single posts ({receipts}): scoring", $"{singleScoring / (double)receipts:F2} /receipt", "", null);
            report.Add(Section, $"single posts: settlement ({singleSettle.Ops} ops, {singleSettle.Outcome}; 'today' while open: {refused.GetType().Name})", $"{singleSettlePer:F2} /receipt", "", null);
            report.Add(Section, "single posts: end to end (ingest → scored → settled)", $"{single + singleSettlePer:F2} /receipt", "≤ 8 /receipt", single + singleSettlePer <= 8);
            report.Add(Section, $"batches of 100 ({batches}): intake", $"{batchIntake / (double)batchReceipts:F2} /receipt", "", null);
            report.Add(Section, $"batches of 100 ({batches}): scoring", $"{batchScoring / (double)batchReceipts:F2} /receipt", "", null);
            report.Add(Section, $"batches of 100: settlement ({batchSettle.Ops} ops, {batchSettle.Outcome})", $"{batchSettlePer:F2} /receipt", "", null);
            report.Add(Section, "batches of 100: end to end (ingest → scored → settled)", $"{batched + batchSettlePer:F2} /receipt", "≤ 1 /receipt", batched + batchSettlePer <= 1);
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    private static async Task<(long Ops, string Outcome)> SettleAsync(ServiceProvider services, StorageOperationCounter counter, string chainId, DateOnly day)
    {
        var chain = await services.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None) ?? throw new InvalidOperationException("chain missing");
        counter.Reset();
        var outcome = await services.GetRequiredService<SettlementWriter>().SettleAsync(chain, day, CancellationToken.None);
        return (counter.Count, outcome.GetType().Name);
    }

    /// <summary>Intake in one call, then scoring of each receipt; the message ids are read with an uncounted client.</summary>
    private static async Task<(long Intake, long Scoring)> IntakeAndScoreAsync(ServiceProvider services, AzuriteFixture azurite, StorageOperationCounter counter, JsonObject[] receipts)
    {
        var validated = receipts.Select(receipt =>
        {
            using var document = JsonDocument.Parse(receipt.ToJsonString());
            return ReceiptValidator.Validate(document.RootElement, new ReceiptValidationContext(DateTimeOffset.UtcNow, 30, _ => Shanghai)) is ReceiptValidation.Valid valid
                ? valid.Receipt
                : throw new InvalidOperationException("The benchmark's receipt is not valid.");
        }).ToList();

        counter.Reset();
        var outcomes = await services.GetRequiredService<ReceiptIntake>().AcceptAsync(validated, CancellationToken.None);
        var intake = counter.Count;

        var receiptsTable = azurite.Tables.GetTableClient("Receipts");
        var toScore = new List<(string ReceiptId, string MessageId)>();
        foreach (var outcome in outcomes)
        {
            if (outcome is not IntakeOutcome.Accepted || !ReceiptKey.TryParse(outcome.ReceiptId, out var key))
            {
                throw new InvalidOperationException($"Intake answered {outcome}.");
            }

            var entity = (await receiptsTable.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value;
            toScore.Add((outcome.ReceiptId, entity.GetString("ScoringMessageId")));
        }

        var scorer = services.GetRequiredService<ReceiptScorer>();
        counter.Reset();
        foreach (var (receiptId, messageId) in toScore)
        {
            var result = await scorer.ScoreAsync(receiptId, messageId, DateTimeOffset.UtcNow, CancellationToken.None);
            if (result != ScoringResult.Scored)
            {
                throw new InvalidOperationException($"Scoring {receiptId} answered {result}.");
            }
        }

        return (intake, counter.Count);
    }

    private static async Task<string> GreenGtinAsync(ServiceProvider services, byte[] listBytes)
    {
        var snapshot = await services.GetRequiredService<ClassificationIndexProvider>().GetCurrentAsync(CancellationToken.None);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow.AddMinutes(-5), Shanghai).DateTime);
        using var reader = new StreamReader(new MemoryStream(listBytes));
        await reader.ReadLineAsync();
        while (await reader.ReadLineAsync() is { } line)
        {
            var gtin = line.Split(',')[0];
            if (snapshot.Classify("0" + gtin, today).Count > 0)
            {
                return gtin;
            }
        }

        throw new InvalidOperationException("No sample product is certified green today.");
    }

    /// <summary>A sale of one green line and one plain line, as the integration tests post.</summary>
    private static JsonObject Sale(string chainId, string receiptNumber, string gtin)
    {
        var issuedAt = DateTimeOffset.UtcNow.AddMinutes(-5).ToOffset(TimeSpan.FromHours(8));
        return new JsonObject
        {
            ["chainId"] = chainId, ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = receiptNumber,
            ["issuedAt"] = issuedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = "CNY", ["type"] = "sale", ["memberId"] = "M" + receiptNumber.Replace("-", "", StringComparison.Ordinal),
            ["lines"] = new JsonArray(new JsonObject
            {
                ["lineNumber"] = 1, ["gtin"] = gtin, ["quantity"] = 1, ["unitPrice"] = 25.00m, ["discount"] = 0, ["amount"] = 25.00m,
            }, new JsonObject
            {
                ["lineNumber"] = 2, ["sku"] = "PLAIN", ["quantity"] = 1, ["unitPrice"] = 1.00m, ["discount"] = 0, ["amount"] = 1.00m,
            }),
            ["total"] = 26.00m,
        };
    }

    /// <summary>The app's own registration against this Azurite, as the integration tests' AppServices builds it.</summary>
    private static ServiceProvider Build(AzuriteFixture azurite, TimeProvider clock)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Auth:BootstrapOperatorKey"] = "benchmark-operator-key-0123456789abcdef",
            // The production default (10 s): list pointers are read once per interval, not per receipt.
            ["Settlement:HmacKey"] = "benchmark-settlement-key-0123456789abcdef",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        var counter = new StorageOperationCounter();
        services.AddSingleton(counter);
        services.AddSingleton<HttpPipelinePolicy>(counter);
        services.AddSingleton(clock);
        services.AddPosGreenPoints(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Wall-clock time moved to a fixed instant; timestamps stay real.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
