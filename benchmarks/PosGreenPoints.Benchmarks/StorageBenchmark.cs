using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Events;
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
            var single = new Ops();
            for (var i = 0; i < receipts; i++)
            {
                single += await IntakeAndScoreAsync(services, azurite, counter, [Sale(singleChain, $"S-{i:D6}", gtin)]);
            }

            // (b) batches of 100, one member per receipt (the realistic case, and the dearest for member postings).
            const int batchSize = 100;
            var batches = Math.Max(1, receipts / batchSize);
            var batched = new Ops();
            for (var b = 0; b < batches; b++)
            {
                var batch = Enumerable.Range(0, batchSize).Select(i => Sale(batchChain, $"B-{b:D3}-{i:D4}", gtin)).ToArray();
                batched += await IntakeAndScoreAsync(services, azurite, counter, batch);
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

            Add(report, $"single posts ({receipts})", receipts, single, singleSettle, refused.GetType().Name, 8);
            Add(report, $"batches of 100 ({batches})", batchReceipts, batched, batchSettle, null, 1);
            await ReplayAsync(report, services, counter, "bench-replay-" + run, gtin);
            await ActivitiesAsync(report, services, counter, run, receipts);
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    /// <summary>
    /// Activities (activities.md): intake and scoring per activity, single posts and batches of 100 of one
    /// station, one member per activity (the dearest case for member postings), as receipts above.
    /// </summary>
    private static async Task ActivitiesAsync(Report report, ServiceProvider services, StorageOperationCounter counter, string run, int count)
    {
        var chainId = "bench-metro-" + run;
        await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new ChainRegistration("Benchmark metro", Kind: ChainKinds.Service), CancellationToken.None);
        var rules = services.GetRequiredService<PointsRules>();
        var intake = services.GetRequiredService<ActivityIntake>();
        var scorer = services.GetRequiredService<ActivityScorer>();
        var store = services.GetRequiredService<ActivityStore>();
        async Task<(long Intake, long Scoring)> IntakeAndScoreAsync(IReadOnlyList<ValidatedActivity> activities)
        {
            counter.Reset();
            var outcomes = await intake.AcceptAsync(activities, "benchmark", CancellationToken.None);
            var intakeOps = counter.Count;
            var messages = new List<(string Id, string MessageId)>();
            foreach (var outcome in outcomes)
            {
                _ = ActivityKey.TryParse(outcome.ReceiptId, out var key);
                messages.Add((outcome.ReceiptId, (await store.FindAsync(key, CancellationToken.None))!.ScoringMessageId));
            }

            counter.Reset();
            foreach (var message in messages.GroupBy(item => item.MessageId))
            {
                var scored = await scorer.ScoreAsync(message.Select(item => item.Id).ToList(), message.Key, DateTimeOffset.UtcNow, CancellationToken.None);
                if (scored.Failures.Count > 0)
                {
                    throw new InvalidOperationException($"Scoring activities failed: {scored.Failures.First().Value.Message}");
                }
            }

            return (intakeOps, counter.Count);
        }

        ValidatedActivity Trip(string id)
        {
            var occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5).ToOffset(TimeSpan.FromHours(8));
            var json = new JsonObject
            {
                ["chainId"] = chainId, ["storeId"] = "L2-NANJINGDONGLU", ["terminalId"] = "GATE-07", ["activityId"] = id,
                ["type"] = "transit-trip", ["memberId"] = "M" + id.Replace("-", "", StringComparison.Ordinal), ["quantity"] = 1,
                ["occurredAt"] = occurredAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            };
            using var document = JsonDocument.Parse(json.ToJsonString());
            return ActivityValidator.Validate(document.RootElement, new ReceiptValidationContext(DateTimeOffset.UtcNow, 30, _ => Shanghai), rules) is ActivityValidation.Valid valid
                ? valid.Activity
                : throw new InvalidOperationException("The benchmark's activity is not valid.");
        }

        await IntakeAndScoreAsync([Trip("AW-1")]);
        (long Intake, long Scoring) single = (0, 0);
        for (var i = 0; i < count; i++)
        {
            var ops = await IntakeAndScoreAsync([Trip($"AS-{i:D6}")]);
            single = (single.Intake + ops.Intake, single.Scoring + ops.Scoring);
        }

        const int batchSize = 100;
        var batches = Math.Max(1, count / batchSize);
        (long Intake, long Scoring) batched = (0, 0);
        for (var b = 0; b < batches; b++)
        {
            var ops = await IntakeAndScoreAsync([.. Enumerable.Range(0, batchSize).Select(i => Trip($"AB-{b:D3}-{i:D4}"))]);
            batched = (batched.Intake + ops.Intake, batched.Scoring + ops.Scoring);
        }

        var perSingle = (single.Intake + single.Scoring) / (double)count;
        var perBatched = (batched.Intake + batched.Scoring) / (double)(batches * batchSize);
        report.Add(Section, $"activities, single posts ({count}): intake", $"{single.Intake / (double)count:F2} /activity", "", null);
        report.Add(Section, $"activities, single posts ({count}): intake + scoring", $"{perSingle:F2} /activity", "≤ 8 /activity", perSingle <= 8);
        report.Add(Section, $"activities, batches of 100 ({batches}): intake", $"{batched.Intake / (double)(batches * batchSize):F2} /activity", "", null);
        report.Add(Section, $"activities, batches of 100 ({batches}): intake + scoring", $"{perBatched:F2} /activity", "≤ 1 /activity", perBatched <= 1);
    }

    /// <summary>
    /// A till that retries a batch after a client timeout posts it again whole: the replay should cost
    /// about what storing it cost (operations.md), not one transaction per receipt.
    /// </summary>
    private static async Task ReplayAsync(Report report, ServiceProvider services, StorageOperationCounter counter, string chainId, string gtin)
    {
        const int size = 500;
        await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new ChainRegistration("Benchmark replay"), CancellationToken.None);
        var batch = Enumerable.Range(0, size).Select(i => Validated(Sale(chainId, $"R-{i:D4}", gtin))).ToList();
        var intake = services.GetRequiredService<ReceiptIntake>();
        async Task<(long Ops, TimeSpan Took, int Duplicates)> PostAsync()
        {
            counter.Reset();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var outcomes = await intake.AcceptAsync(batch, CancellationToken.None);
            return (counter.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started), outcomes.Count(outcome => outcome is IntakeOutcome.Duplicate));
        }

        var first = await PostAsync();
        var replay = await PostAsync();
        report.Add(Section, $"batch of {size}: first post (intake)", $"{first.Ops} ops, {first.Took.TotalMilliseconds:F0} ms", "", null);
        report.Add(Section, $"batch of {size}: the same batch posted again ({replay.Duplicates} duplicates)", $"{replay.Ops} ops, {replay.Took.TotalMilliseconds:F0} ms",
            "≈ first post", replay.Duplicates == size && replay.Ops <= 2 * first.Ops);
    }

    /// <summary>
    /// The rows of one way of posting. Events go to Service Bus in Azure (not a storage operation; sent in
    /// batches) and to an Azurite queue here, so they are counted apart from storage.
    /// </summary>
    private static void Add(Report report, string label, int receipts, Ops ops, (Ops Ops, string Outcome) settle, string? refusedToday, int target)
    {
        double Per(long count) => count / (double)receipts;
        var storage = Per(ops.Intake + ops.Scoring - ops.Events + settle.Ops.Scoring - settle.Ops.Events);
        report.Add(Section, $"{label}: intake", $"{Per(ops.Intake):F2} /receipt", "", null);
        report.Add(Section, $"{label}: scoring, storage", $"{Per(ops.Scoring - ops.Events):F2} /receipt", "", null);
        report.Add(Section, $"{label}: settlement ({settle.Ops.Scoring - settle.Ops.Events} storage ops, {settle.Outcome}" + (refusedToday is null ? ")" : $"; 'today' while open: {refusedToday})"), $"{Per(settle.Ops.Scoring - settle.Ops.Events):F2} /receipt", "", null);
        report.Add(Section, $"{label}: events (Service Bus in Azure, an Azurite queue here)", $"{Per(ops.Events + settle.Ops.Events):F2} /receipt", "", null);
        report.Add(Section, $"{label}: end to end storage (ingest → scored → settled)", $"{storage:F2} /receipt", $"≤ {target} /receipt", storage <= target);
        report.Add(Section, $"{label}:   the same with events on the Azurite queue counted", $"{storage + Per(ops.Events + settle.Ops.Events):F2} /receipt", "", null);
    }

    private static async Task<(Ops Ops, string Outcome)> SettleAsync(ServiceProvider services, StorageOperationCounter counter, string chainId, DateOnly day)
    {
        var chain = await services.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None) ?? throw new InvalidOperationException("chain missing");
        counter.Reset();
        var outcome = await services.GetRequiredService<SettlementWriter>().SettleAsync(chain, day, CancellationToken.None);
        return (new Ops(0, counter.Count, counter.CountFor(EventPublisher.LocalQueueName)), outcome.GetType().Name);
    }

    /// <summary>Intake in one call, then scoring message by message as the queue trigger does; the message ids are read with an uncounted client.</summary>
    private static async Task<Ops> IntakeAndScoreAsync(ServiceProvider services, AzuriteFixture azurite, StorageOperationCounter counter, JsonObject[] receipts)
    {
        var validated = receipts.Select(Validated).ToList();

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
        foreach (var message in toScore.GroupBy(item => item.MessageId))
        {
            var scored = await scorer.ScoreAsync(message.Select(item => item.ReceiptId).ToList(), message.Key, DateTimeOffset.UtcNow, CancellationToken.None);
            if (scored.Failures.Count > 0 || scored.Results.Values.Any(result => result != ScoringResult.Scored))
            {
                throw new InvalidOperationException($"Scoring message {message.Key} failed: {string.Join("; ", scored.Failures.Select(pair => pair.Key + ": " + pair.Value.Message))}");
            }
        }

        return new Ops(intake, counter.Count, counter.CountFor(EventPublisher.LocalQueueName));
    }

    private static ValidatedReceipt Validated(JsonObject receipt)
    {
        using var document = JsonDocument.Parse(receipt.ToJsonString());
        return ReceiptValidator.Validate(document.RootElement, new ReceiptValidationContext(DateTimeOffset.UtcNow, 30, _ => Shanghai)) is ReceiptValidation.Valid valid
            ? valid.Receipt
            : throw new InvalidOperationException("The benchmark's receipt is not valid.");
    }

    /// <summary>Storage operations counted: intake, scoring (all of it), and of the scoring those that sent events.</summary>
    private readonly record struct Ops(long Intake, long Scoring, long Events)
    {
        public static Ops operator +(Ops left, Ops right) => new(left.Intake + right.Intake, left.Scoring + right.Scoring, left.Events + right.Events);
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
    internal static ServiceProvider Build(AzuriteFixture azurite, TimeProvider clock)
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
