using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using PosGreenPoints.Contracts.Receipts;
using Xunit.Abstractions;

namespace PosGreenPoints.Tests.EndToEnd.Faults;

/// <summary>Storage (Azurite) stopped while receipts are posted and scored, and started again with its data on the same ports.</summary>
[Collection(FaultTests.Name)]
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    /// <summary>
    /// How long a post may take to answer while storage is down. The app's storage clients
    /// (Infrastructure/StorageClients.cs) retry 3 times, exponentially from Azure.Core's 0.8 s with ±20 %
    /// jitter: at most 0.96 + 1.92 + 3.84 = 6.7 s of waiting when storage refuses connections at once, as
    /// a stopped Azurite does (their 10 s network timeout matters only for a storage that accepts and never
    /// answers: up to 4 × 10 + 6.7 s). A post's first failing storage call ends it with 503, so the answer
    /// comes after about 7 s; 15 s leaves room for a loaded machine and stays well within 30 s.
    /// </summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(15);

    private const string StorageUnavailable = "https://posgreenpoints.cn/problems/storage-unavailable";

    [Fact]
    public async Task Storage_down_while_posting_and_scoring_answers_503_in_bounded_time_and_loses_nothing()
    {
        await using var scenario = await FaultScenario.StartAsync(output, storageOnDisk: true);
        var runner = await scenario.StartRunnerAsync();
        await scenario.SetUpAsync(runner);
        var chainId = scenario.Chains[0];
        using var client = scenario.PosClient(runner);
        var receipts = FaultScenario.Receipts(chainId, 160, FaultScenario.NewMembers(10), "outage");
        // Four batches for the backlog; two for the till; one for the probes while storage is down.
        var sizes = new[] { 10, 20, 30, 60, 10, 10, 20 };
        var batches = sizes.Select((size, index) => receipts.Skip(sizes.Take(index).Sum()).Take(size).ToList()).ToList();
        // The first batch is scored before storage goes; the next three are posted just before it goes, so
        // their scoring, which takes many storage operations each, is cut off (batches posted at once were
        // sometimes all scored before the stop, and the outage then interrupted nothing).
        var before = (await FaultScenario.PostAcknowledgedAsync(client, batches[0])).ToList();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while ((await FaultScenario.StatusesAsync(client, before)).Values.All(status => status!.Status != ReceiptStatuses.Scored))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"scoring did not start{Environment.NewLine}{scenario.RunnerOutput()}");
        }

        before.AddRange((await Task.WhenAll(batches.Skip(1).Take(3).Select(batch => FaultScenario.PostAcknowledgedAsync(client, batch)))).SelectMany(ids => ids));
        scenario.Log($"{before.Count} receipts posted, the first {sizes[0]} scored or being scored");

        var attempts = new ConcurrentQueue<BatchAttempt>();
        var tillDone = Task.Run(async () =>
        {
            foreach (var batch in batches.Skip(4).Take(2))
            {
                attempts.Enqueue(await FaultScenario.TryPostBatchAsync(client, batch));
                await Task.Delay(250);
            }
        });

        await scenario.Azurite.StopAsync();
        scenario.Log("Azurite stopped");
        var stoppedAt = DateTimeOffset.UtcNow;
        var outage = Stopwatch.StartNew();
        // Posted and answered while storage is down.
        var single = TimedAsync(() => client.PostAsync("api/v1/receipts", AppApi.Json(batches[6][0].DeepClone())));
        var batchProbe = TimedAsync(() => client.PostAsync("api/v1/receipts/batch", AppApi.Json(new JsonObject { ["receipts"] = new JsonArray([.. batches[6].Skip(1).Select(receipt => receipt.DeepClone())]) })));
        var read = TimedAsync(() => client.GetAsync($"api/v1/receipts/{Uri.EscapeDataString(before[^1])}"));
        var probes = await Task.WhenAll(single, batchProbe, read);
        scenario.Log($"answers while storage was down: {string.Join(", ", probes.Select(probe => $"{(int)probe.Status} after {probe.Elapsed.TotalSeconds:F1} s"))}");
        foreach (var probe in probes)
        {
            Assert.True(probe.Status == HttpStatusCode.ServiceUnavailable, $"answered {(int)probe.Status} while storage was down: {probe.Body}");
            Assert.Equal("application/problem+json", probe.ContentType);
            Assert.Contains(StorageUnavailable, probe.Body, StringComparison.Ordinal);
            Assert.True(probe.RetryAfter is not null, "a 503 without Retry-After");
            Assert.True(probe.Elapsed <= AnswerBound, $"answered after {probe.Elapsed}, the bound is {AnswerBound}");
        }

        // Down long enough that scoring messages in flight failed and their renewals too.
        var downFor = FaultScenario.ProcessingVisibility;
        if (outage.Elapsed < downFor)
        {
            await Task.Delay(downFor - outage.Elapsed);
        }

        await scenario.Azurite.StartAsync();
        scenario.Log("Azurite started again with its data");
        var restartedAt = DateTimeOffset.UtcNow;
        await tillDone;
        foreach (var batch in batches.Skip(6))
        {
            attempts.Enqueue(await FaultScenario.TryPostBatchAsync(client, batch));
        }

        scenario.Log($"storage down {stoppedAt:HH:mm:ss.fff}–{restartedAt:HH:mm:ss.fff}; the till's answers: {string.Join(", ", attempts.Select(attempt => $"{(int?)attempt.Status} after {attempt.Elapsed.TotalSeconds:F1} s"))}");
        Assert.Contains(attempts, attempt => attempt.Status == HttpStatusCode.ServiceUnavailable);
        foreach (var attempt in attempts.Where(attempt => !attempt.IsAcknowledged))
        {
            Assert.True(attempt.Status == HttpStatusCode.ServiceUnavailable && attempt.ContentType == "application/problem+json" && attempt.Body.Contains(StorageUnavailable, StringComparison.Ordinal),
                $"the till got {attempt}");
            Assert.True(attempt.Elapsed <= AnswerBound, $"the till waited {attempt.Elapsed}, the bound is {AnswerBound}");
        }

        // A 503 promises nothing either way for a post that was under way when storage went: its receipts
        // may be stored already, and are then scored; the till's retry finds them as duplicates.
        var unacknowledged = attempts.Where(attempt => !attempt.IsAcknowledged).SelectMany(attempt => attempt.Receipts).ToList();
        var storedAnyway = (await FaultScenario.StatusesAsync(client, unacknowledged.Select(FaultScenario.ReceiptId))).Values.Count(status => status is not null);
        scenario.Log($"{storedAnyway} of the {unacknowledged.Count} receipts of unacknowledged posts were stored all the same");

        // The till posts again what was not acknowledged, as Retry-After tells it to: each is stored once.
        var acknowledged = new List<string>(before);
        foreach (var attempt in attempts)
        {
            acknowledged.AddRange(attempt.IsAcknowledged ? attempt.ReceiptIds : await FaultScenario.PostAcknowledgedAsync(client, attempt.Receipts));
        }

        Assert.Equal(receipts.Count, acknowledged.Distinct().Count());
        var scored = await scenario.WaitForScoredAsync(client, acknowledged.Distinct().ToList(), TimeSpan.FromSeconds(40));

        var backlog = scored.Where(receipt => before.Contains(receipt.ReceiptId)).ToList();
        scenario.Log($"of the {before.Count} receipts acknowledged before the outage, {backlog.Count(receipt => receipt.ScoredAt < stoppedAt)} were scored before it and {backlog.Count(receipt => receipt.ScoredAt > restartedAt)} after it");
        Assert.Contains(backlog, receipt => receipt.ScoredAt < stoppedAt);
        Assert.Contains(backlog, receipt => receipt.ScoredAt > restartedAt);
        await scenario.AssertBooksBalanceAsync(client, chainId, scored);
    }

    private static async Task<TimedAnswer> TimedAsync(Func<Task<HttpResponseMessage>> request)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await request();
        return new TimedAnswer(
            response.StatusCode,
            response.Content.Headers.ContentType?.MediaType,
            response.Headers.RetryAfter,
            await response.Content.ReadAsStringAsync(),
            Stopwatch.GetElapsedTime(started));
    }

    private sealed record TimedAnswer(HttpStatusCode Status, string? ContentType, System.Net.Http.Headers.RetryConditionHeaderValue? RetryAfter, string Body, TimeSpan Elapsed);
}
