using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Benchmarks;

/// <summary>
/// Section 7: activities/s from post to scored over HTTP through the local runner (activities.md), single
/// posts and batches of 100, beside receipts/s of single posts in the same run and on the same runner.
/// </summary>
internal static class ActivityThroughputBenchmark
{
    private const string Section = "7 Activities end to end";
    private const int BatchSize = 100;
    private static readonly TimeSpan ScoringPatience = TimeSpan.FromMinutes(5);

    public static async Task RunAsync(Report report, int count, int clients)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, BatchSize, "--activities");
        await using var app = await RunnerOnAzurite.StartAsync();
        var azurite = app.Azurite;
        var run = Guid.NewGuid().ToString("N")[..8];
        var (retail, metro) = ($"bench-shop-{run}", $"bench-metro-{run}");
        var operatorClient = app.Client(FunctionAppFixture.OperatorKey);
        await EndToEndBenchmark.ExpectAsync(await operatorClient.PutAsJsonAsync($"api/v1/admin/chains/{retail}", new ChainRegistration("Benchmark shop")), "registering the shop", HttpStatusCode.Created);
        await EndToEndBenchmark.ExpectAsync(await operatorClient.PutAsJsonAsync($"api/v1/admin/chains/{metro}", new ChainRegistration("Benchmark metro", Kind: ChainKinds.Service)), "registering the metro", HttpStatusCode.Created);
        using var created = await operatorClient.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest("bench-gates-" + run, ClientRoles.Pos, [retail, metro]));
        await EndToEndBenchmark.ExpectAsync(created, "creating the key", HttpStatusCode.Created);
        var key = (await created.Content.ReadFromJsonAsync<CreatedClient>())!.ApiKey;
        var posters = app.Clients(key, clients);

        var receipts = azurite.Tables.GetTableClient(StorageNames.Tables.Receipts);
        var activities = azurite.Tables.GetTableClient(StorageNames.Tables.Activities);

        // Warm-up: the first post of each kind loads rules, chains and lists.
        await PostAllAsync(posters, [("api/v1/receipts", Receipt(retail, "WARM", 0))]);
        await PostAllAsync(posters, [("api/v1/activities", Trip(metro, "WARM", "BAWARM").ToJsonString())]);
        await WaitUntilScoredAsync(receipts, retail);
        await WaitUntilScoredAsync(activities, metro);

        var receiptRun = await MeasureAsync(posters, receipts, retail,
            Enumerable.Range(0, count).Select(index => ("api/v1/receipts", Receipt(retail, $"S{index:D6}", index))).ToList());
        var singleRun = await MeasureAsync(posters, activities, metro,
            Enumerable.Range(0, count).Select(index => ("api/v1/activities", Trip(metro, $"S{index:D6}", $"BA{index:D6}").ToJsonString())).ToList());
        var batchRun = await MeasureAsync(posters, activities, metro,
            Enumerable.Range(0, count / BatchSize).Select(batch => ("api/v1/activities/batch", new JsonObject
            {
                ["activities"] = new JsonArray([.. Enumerable.Range(0, BatchSize).Select(index => Trip(metro, $"B{batch:D4}-{index:D3}", $"BB{batch:D4}{index:D3}"))]),
            }.ToJsonString())).ToList());

        Add(report, $"receipts, single posts ({count}; {clients} clients): post → scored", count, receiptRun);
        Add(report, $"activities, single posts ({count} transit trips; {clients} clients): post → scored", count, singleRun);
        Add(report, $"activities, batches of {BatchSize} ({count / BatchSize} × {BatchSize}; {clients} clients): post → scored", count / BatchSize * BatchSize, batchRun);
    }

    private static void Add(Report report, string label, int items, (TimeSpan PostToScored, double[] Latencies) measured) =>
        report.Add(Section, label,
            $"{items / measured.PostToScored.TotalSeconds:N0} /s ({measured.PostToScored.TotalSeconds:F1} s); post p50 {EndToEndBenchmark.Percentile(measured.Latencies, 0.50):N0} ms, p99 {EndToEndBenchmark.Percentile(measured.Latencies, 0.99):N0} ms",
            "report", null);

    private static async Task<(TimeSpan PostToScored, double[] Latencies)> MeasureAsync(HttpClient[] posters, TableClient table, string chainId, IReadOnlyList<(string Path, string Body)> posts)
    {
        var started = Stopwatch.GetTimestamp();
        var latencies = await PostAllAsync(posters, posts);
        await WaitUntilScoredAsync(table, chainId);
        return (Stopwatch.GetElapsedTime(started), latencies);
    }

    private static async Task<double[]> PostAllAsync(HttpClient[] posters, IReadOnlyList<(string Path, string Body)> posts) =>
        (await ConcurrentRequests.SendAsync(posters, posts.Count,
            index => new HttpRequestMessage(HttpMethod.Post, posts[index].Path) { Content = new StringContent(posts[index].Body, Encoding.UTF8, "application/json") },
            HttpStatusCode.Accepted, HttpStatusCode.OK)).Latencies;

    /// <summary>Polls the app's table with an uncounted client until none of the chain's items waits to be scored.</summary>
    private static async Task WaitUntilScoredAsync(TableClient table, string chainId)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var waiting = 0;
            await foreach (var page in table.QueryAsync<TableEntity>($"ChainId eq '{chainId}' and Status eq '{ReceiptStatuses.Accepted}'", select: ["PartitionKey"]).AsPages())
            {
                waiting += page.Values.Count;
            }

            if (waiting == 0)
            {
                return;
            }

            if (deadline.Elapsed > ScoringPatience)
            {
                throw new TimeoutException($"{waiting} items of {chainId} were not scored within {ScoringPatience}.");
            }

            await Task.Delay(250);
        }
    }

    private static string Receipt(string chainId, string receiptNumber, int sample)
    {
        var receipt = SampleReceipts.Receipt(sample % SampleReceipts.Count, chainId);
        receipt["receiptNumber"] = receiptNumber;
        return receipt.ToJsonString();
    }

    /// <summary>A transit trip of its own member (the dearest case for member postings, as receipts' one member per receipt).</summary>
    private static JsonObject Trip(string chainId, string activityId, string memberId) => new()
    {
        ["chainId"] = chainId, ["storeId"] = "L2-NANJINGDONGLU", ["terminalId"] = "GATE-07", ["activityId"] = activityId,
        ["type"] = "transit-trip", ["memberId"] = memberId, ["quantity"] = 1,
        ["occurredAt"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
    };
}
