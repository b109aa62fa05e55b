using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Points;

/// <summary>The app's real services against Azurite, with helpers to publish the sample lists, take in receipts and score them.</summary>
internal sealed class ScoringHarness(AzuriteFixture azurite, ServiceProvider services)
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public ServiceProvider Services => services;

    public ReceiptScorer Scorer => services.GetRequiredService<ReceiptScorer>();

    public static Task<ScoringHarness> StartAsync(AzuriteFixture azurite, string chainId, params Azure.Core.Pipeline.HttpPipelinePolicy[] policies) =>
        StartAsync(azurite, chainId, clock: null, policies);

    public static async Task<ScoringHarness> StartAsync(AzuriteFixture azurite, string chainId, Microsoft.Extensions.Time.Testing.FakeTimeProvider? clock, params Azure.Core.Pipeline.HttpPipelinePolicy[] policies)
    {
        var services = AppServices.Build(azurite, clock, policies: policies);
        var harness = new ScoringHarness(azurite, services);
        await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new("Scoring test chain"), CancellationToken.None);
        foreach (var list in new[] { "certified-green", "low-voc" })
        {
            await harness.PublishAsync(list, await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.SampleData, list + ".csv")));
        }

        return harness;
    }

    public async Task<PublishOutcome> PublishAsync(string listId, byte[] csv)
    {
        using var stream = new MemoryStream(csv);
        return await services.GetRequiredService<ProductListPublisher>().PublishAsync(listId, stream, limitBytes: null, CancellationToken.None);
    }

    /// <summary>A sale of one line of a product on both sample lists: amount × 1.5 points.</summary>
    public static JsonObject Sale(string chainId, string receiptNumber, string? memberId, decimal amount, string gtin)
    {
        var issuedAt = DateTimeOffset.UtcNow.AddMinutes(-5).ToOffset(TimeSpan.FromHours(8));
        return new JsonObject
        {
            ["chainId"] = chainId, ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = receiptNumber,
            ["issuedAt"] = issuedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = "CNY", ["type"] = "sale", ["memberId"] = memberId,
            ["lines"] = new JsonArray(new JsonObject
            {
                ["lineNumber"] = 1, ["gtin"] = gtin, ["quantity"] = 1, ["unitPrice"] = amount, ["discount"] = 0, ["amount"] = amount,
            }, new JsonObject
            {
                ["lineNumber"] = 2, ["sku"] = "PLAIN", ["quantity"] = 1, ["unitPrice"] = 1.00m, ["discount"] = 0, ["amount"] = 1.00m,
            }),
            ["total"] = amount + 1.00m,
        };
    }

    /// <summary>A return of <paramref name="quantity"/> of line 1 of <paramref name="sale"/> (made by <see cref="Sale"/>), posted a minute ago.</summary>
    public static JsonObject Return(JsonObject sale, string receiptNumber, decimal quantity = 1, decimal? amount = null, string? gtin = null)
    {
        var line = sale["lines"]![0]!;
        var returned = amount ?? (decimal)line["unitPrice"]! * quantity;
        return new JsonObject
        {
            ["chainId"] = (string?)sale["chainId"], ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = receiptNumber,
            ["issuedAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = "CNY", ["type"] = "return",
            ["originalReceipt"] = new JsonObject
            {
                ["storeId"] = (string?)sale["storeId"], ["terminalId"] = (string?)sale["terminalId"], ["receiptNumber"] = (string?)sale["receiptNumber"], ["issuedAt"] = (string?)sale["issuedAt"],
            },
            ["lines"] = new JsonArray(new JsonObject
            {
                ["lineNumber"] = 1, ["gtin"] = gtin ?? (string?)line["gtin"], ["quantity"] = quantity, ["unitPrice"] = returned / quantity, ["discount"] = 0,
                ["amount"] = returned, ["originalLineNumber"] = 1,
            }),
            ["total"] = returned,
        };
    }

    /// <summary>Takes receipts in (queue first, then store) and returns their ids with the scoring message each belongs to.</summary>
    public async Task<IReadOnlyList<(string ReceiptId, string MessageId)>> TakeInAsync(params JsonObject[] receipts)
    {
        var validated = receipts.Select(Validate).ToList();
        var outcomes = await services.GetRequiredService<ReceiptIntake>().AcceptAsync(validated, CancellationToken.None);
        var result = new List<(string, string)>();
        foreach (var outcome in outcomes)
        {
            Assert.IsType<IntakeOutcome.Accepted>(outcome);
            var entity = await ReceiptAsync(outcome.ReceiptId);
            result.Add((outcome.ReceiptId, entity.GetString("ScoringMessageId")));
        }

        return result;
    }

    public ValidatedReceipt Validate(JsonObject receipt)
    {
        using var document = JsonDocument.Parse(receipt.ToJsonString());
        return Assert.IsType<ReceiptValidation.Valid>(ReceiptValidator.Validate(document.RootElement, new ReceiptValidationContext(DateTimeOffset.UtcNow, 30, _ => Shanghai))).Receipt;
    }

    public Task<ScoringResult> ScoreAsync((string ReceiptId, string MessageId) receipt) =>
        Scorer.ScoreAsync(receipt.ReceiptId, receipt.MessageId, DateTimeOffset.UtcNow, CancellationToken.None);

    public async Task<TableEntity> ReceiptAsync(string receiptId)
    {
        Assert.True(ReceiptKey.TryParse(receiptId, out var key));
        return (await azurite.Tables.GetTableClient("Receipts").GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value;
    }

    public async Task<List<TableEntity>> PostingsAsync(string receiptId)
    {
        var postings = new List<TableEntity>();
        await foreach (var posting in azurite.Tables.GetTableClient("Ledger").QueryAsync<TableEntity>(entity => entity.GetString("ReceiptId") == receiptId))
        {
            postings.Add(posting);
        }

        return postings;
    }

    /// <summary>The member's balance as an operator reads it; all zeros for a member with no posting.</summary>
    public async Task<MemberPointsView> BalanceAsync(string memberId) =>
        await services.GetRequiredService<WalletReads>().BalanceAsync(memberId, OperatorCaller, CancellationToken.None)
            ?? new MemberPointsView(memberId, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null);

    private static readonly Caller OperatorCaller = new("tests", Role.Operator, new HashSet<string>());

    /// <summary>A GTIN on both sample lists and valid today.</summary>
    public async Task<string> GreenAndLowVocGtinAsync()
    {
        var snapshot = await services.GetRequiredService<ClassificationIndexProvider>().GetCurrentAsync(CancellationToken.None);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow.AddMinutes(-5), Shanghai).DateTime);
        foreach (var line in File.ReadLines(Path.Combine(RepositoryPaths.SampleData, "low-voc.csv")).Skip(1))
        {
            var gtin = "0" + line.Split(',')[0];
            if (snapshot.Classify(gtin, today).Count == 2)
            {
                return gtin[1..];
            }
        }

        throw new InvalidOperationException("No sample product is on both lists today.");
    }

    public static string NewMemberId() => "M" + Guid.NewGuid().ToString("N")[..20];

    public static ReceiptStatusView? View(TableEntity entity) =>
        entity.GetString("ScoredLines") is { } lines ? new ReceiptStatusView("", "", "", "", "", default, "", null, entity.GetString("Status"), entity.GetInt64("Points"),
            JsonSerializer.Deserialize<List<ReceiptLineStatusView>>(lines, JsonSerializerOptions.Web), [], null) : null;
}
