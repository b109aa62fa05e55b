using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts.Poison;
using PosGreenPoints.Functions.Functions;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Integration.Activities;
using PosGreenPoints.Tests.Integration.Points;
using PosGreenPoints.Tests.Integration.Telemetry;

namespace PosGreenPoints.Tests.Integration.Poison;

/// <summary>api.md, Admin: inspect and replay the messages that failed processing. An Azurite of its own, so the poison queue is this test's.</summary>
public sealed class PoisonQueueTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string PoisonQueue = "receipts-to-score-poison";

    [Fact]
    public async Task A_poisoned_receipt_is_shown_with_its_reason_replayed_once_and_scores_after_the_fix()
    {
        using var metrics = new MetricCapture();
        var chainId = SampleReceipts.NewChainId("poison");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var receipt = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, "POISON", ScoringHarness.NewMemberId(), 10.00m, gtin)))[0];
        var receipts = azurite.Tables.GetTableClient("Receipts");
        var entity = await harness.ReceiptAsync(receipt.ReceiptId);
        var body = entity.GetString("Body");
        entity["Body"] = "not a receipt";
        await receipts.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Merge);

        // The last delivery fails and marks the receipt failed; the host then moves the body to the poison queue.
        var processor = harness.Services.GetRequiredService<ScoringProcessor>();
        var maxDeliveries = harness.Services.GetRequiredService<HostQueueSettings>().MaxDequeueCount;
        var message = BinaryData.FromObjectAsJson(new { receiptIds = new[] { receipt.ReceiptId } });
        await Assert.ThrowsAnyAsync<Exception>(() => processor.ProcessAsync(
            QueuesModelFactory.QueueMessage(receipt.MessageId, "pop", message, maxDeliveries, insertedOn: DateTimeOffset.UtcNow), CancellationToken.None));
        var poison = azurite.Queues.GetQueueClient(PoisonQueue);
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync(message);
        Assert.Equal("failed", (await harness.ReceiptAsync(receipt.ReceiptId)).GetString("Status"));
        Assert.True(metrics.Sum("posgreenpoints.poison.messages", ("queue", PoisonQueue)) >= 1);

        var functions = ActivatorUtilities.CreateInstance<PoisonFunctions>(harness.Services);
        var report = Assert.IsType<PoisonReport>(Assert.IsType<OkObjectResult>(
            await functions.GetPoison(ApiCalls.Request(harness.Services, "GET", ApiCalls.OperatorKey, null), CancellationToken.None)).Value);
        var view = Assert.Single(report.Queues, queue => queue.Queue == PoisonQueue);
        Assert.Equal(1, view.Count);
        var shown = Assert.Single(view.Oldest);
        Assert.Contains(receipt.ReceiptId, shown.Reason);
        Assert.Contains("FormatException", shown.Reason);
        Assert.Contains(receipt.ReceiptId, shown.Text);

        var first = await ReplayAsync(functions, harness.Services);
        var second = await ReplayAsync(functions, harness.Services);

        Assert.Equal(new PoisonReplayResult(PoisonQueue, 1), first);
        Assert.Equal(new PoisonReplayResult(PoisonQueue, 0), second);
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        var replayed = await harness.ReceiptAsync(receipt.ReceiptId);
        Assert.Equal("accepted", replayed.GetString("Status"));
        var newMessageId = replayed.GetString("ScoringMessageId");
        Assert.NotEqual(receipt.MessageId, newMessageId);
        PeekedMessage[] queued = await azurite.Queues.GetQueueClient("receipts-to-score").PeekMessagesAsync(32);
        Assert.Contains(queued, queuedMessage => queuedMessage.MessageId == newMessageId);

        // The operator fixes the cause; the replayed message scores the receipt, the old one cannot.
        replayed["Body"] = body;
        await receipts.UpdateEntityAsync(replayed, replayed.ETag, TableUpdateMode.Merge);
        Assert.Equal(ScoringResult.NotOwned, await harness.Scorer.ScoreAsync(receipt.ReceiptId, receipt.MessageId, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(ScoringResult.Scored, await harness.Scorer.ScoreAsync(receipt.ReceiptId, newMessageId, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(15, Assert.Single(await harness.PostingsAsync(receipt.ReceiptId)).GetInt64("Points"));
    }

    [Fact]
    public async Task A_poisoned_activity_is_shown_with_its_reason_replayed_once_and_scores_after_the_fix()
    {
        using var rules = new ActivityRulesFile();
        var chainId = SampleReceipts.NewChainId("poisonact");
        await using var harness = await ActivityHarness.StartAsync(azurite, rules, chainId);
        var memberId = ScoringHarness.NewMemberId();
        var activity = (await harness.TakeInAsync(ActivityHarness.Activity(chainId, "POISON-TRIP", memberId, "trip", 1)))[0];

        // A stored activity whose chain is gone from the registry cannot be scored: the last delivery marks
        // it failed and the host moves the message to the poison queue.
        var activities = azurite.Tables.GetTableClient("Activities");
        var stored = await harness.RecordAsync(activity.Id);
        await activities.UpdateEntityAsync(new TableEntity(stored.PartitionKey, stored.RowKey) { ["ChainId"] = "nowhere-" + chainId }, stored.ETag, TableUpdateMode.Merge);
        var processor = harness.Services.GetRequiredService<ScoringProcessor>();
        var maxDeliveries = harness.Services.GetRequiredService<HostQueueSettings>().MaxDequeueCount;
        var message = BinaryData.FromObjectAsJson(new { receiptIds = new[] { activity.Id } });
        await Assert.ThrowsAnyAsync<Exception>(() => processor.ProcessAsync(
            QueuesModelFactory.QueueMessage(activity.MessageId, "pop", message, maxDeliveries, insertedOn: DateTimeOffset.UtcNow), CancellationToken.None));
        var poison = azurite.Queues.GetQueueClient(PoisonQueue);
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync(message);
        Assert.Equal("failed", (await harness.RecordAsync(activity.Id)).Status);

        var functions = ActivatorUtilities.CreateInstance<PoisonFunctions>(harness.Services);
        var report = Assert.IsType<PoisonReport>(Assert.IsType<OkObjectResult>(
            await functions.GetPoison(ApiCalls.Request(harness.Services, "GET", ApiCalls.OperatorKey, null), CancellationToken.None)).Value);
        var shown = Assert.Single(Assert.Single(report.Queues, queue => queue.Queue == PoisonQueue).Oldest);
        Assert.Contains(activity.Id, shown.Reason);
        Assert.Contains("not registered", shown.Reason);

        Assert.Equal(new PoisonReplayResult(PoisonQueue, 1), await ReplayAsync(functions, harness.Services));
        Assert.Equal(new PoisonReplayResult(PoisonQueue, 0), await ReplayAsync(functions, harness.Services));
        var replayed = await harness.RecordAsync(activity.Id);
        Assert.Equal("accepted", replayed.Status);
        Assert.NotEqual(activity.MessageId, replayed.ScoringMessageId);

        // The operator fixes the cause; the replayed message scores the activity, the old one cannot.
        await activities.UpdateEntityAsync(new TableEntity(replayed.PartitionKey, replayed.RowKey) { ["ChainId"] = chainId }, replayed.ETag, TableUpdateMode.Merge);
        Assert.Equal(ScoringResult.NotOwned, (await ActivityHarness.ScoreAsync(harness.Scorer, activity)).Results[activity.Id]);
        Assert.Equal(ScoringResult.Scored, (await ActivityHarness.ScoreAsync(harness.Scorer, (activity.Id, replayed.ScoringMessageId))).Results[activity.Id]);
        Assert.Equal(10, Assert.Single(await harness.PostingsAsync(activity.Id)).GetInt64("Points"));
    }

    [Fact]
    public async Task Replaying_a_queue_that_is_not_a_poison_queue_is_404_and_only_an_operator_may()
    {
        var harness = await ScoringHarness.StartAsync(azurite, SampleReceipts.NewChainId("poison"));
        var functions = ActivatorUtilities.CreateInstance<PoisonFunctions>(harness.Services);

        var notPoison = await functions.ReplayPoison(ReplayRequest(harness.Services, "receipts-to-score", ApiCalls.OperatorKey), CancellationToken.None);
        var wrongKey = await functions.GetPoison(ApiCalls.Request(harness.Services, "GET", "nobody.not-a-key", null), CancellationToken.None);

        Assert.Equal(404, ApiCalls.StatusOf(notPoison));
        Assert.Equal(401, ApiCalls.StatusOf(wrongKey));
    }

    private static async Task<PoisonReplayResult> ReplayAsync(PoisonFunctions functions, IServiceProvider services) =>
        Assert.IsType<PoisonReplayResult>(Assert.IsType<OkObjectResult>(
            await functions.ReplayPoison(ReplayRequest(services, PoisonQueue, ApiCalls.OperatorKey), CancellationToken.None)).Value);

    private static Microsoft.AspNetCore.Http.HttpRequest ReplayRequest(IServiceProvider services, string queue, string key)
    {
        var request = ApiCalls.Request(services, "POST", key, null);
        request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?queue=" + Uri.EscapeDataString(queue));
        return request;
    }
}
