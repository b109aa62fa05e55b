using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Points;

[Collection(SharedAzurite.Name)]
public sealed class ScoringFlowTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Scoring_publishes_a_receipt_scored_cloud_event_with_a_stable_id()
    {
        var chainId = SampleReceipts.NewChainId("evt");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var receipt = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, "EVT-1", null, 10.00m, await harness.GreenAndLowVocGtinAsync())))[0];

        await harness.ScoreAsync(receipt);
        var events = await DrainEventsAsync();

        var scored = Assert.Single(events, cloudEvent => cloudEvent["id"]!.GetValue<string>() == $"cn.greenpoints.receipt.scored:{receipt.ReceiptId}");
        Assert.Equal("1.0", (string?)scored["specversion"]);
        Assert.Equal("cn.greenpoints.receipt.scored", (string?)scored["type"]);
        Assert.Equal(15, (long)scored["data"]!["points"]!);
    }

    [Fact]
    public async Task A_return_that_arrives_before_its_sale_is_scored_waits_on_a_later_message_then_reverses()
    {
        var chainId = SampleReceipts.NewChainId("wait");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var memberId = ScoringHarness.NewMemberId();
        var saleJson = ScoringHarness.Sale(chainId, "WAIT-SALE", memberId, 100.00m, gtin);
        var sale = (await harness.TakeInAsync(saleJson))[0];
        var returnJson = new JsonObject
        {
            ["chainId"] = chainId, ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = "WAIT-RETURN",
            ["issuedAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = "CNY", ["type"] = "return",
            ["originalReceipt"] = new JsonObject { ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = "WAIT-SALE", ["issuedAt"] = (string?)saleJson["issuedAt"] },
            ["lines"] = new JsonArray(new JsonObject
            {
                ["lineNumber"] = 1, ["gtin"] = gtin, ["quantity"] = 1, ["unitPrice"] = 100.00m, ["discount"] = 0, ["amount"] = 100.00m, ["originalLineNumber"] = 1,
            }),
            ["total"] = 100.00m,
        };
        var ret = (await harness.TakeInAsync(returnJson))[0];
        var processor = harness.Services.GetRequiredService<ScoringProcessor>();

        await processor.ProcessAsync(Message(ret.MessageId, ret.ReceiptId), CancellationToken.None);
        var waiting = await harness.ReceiptAsync(ret.ReceiptId);
        var handedOver = waiting.GetString("ScoringMessageId");
        var visibleNow = (await azurite.Queues.GetQueueClient("receipts-to-score").PeekMessagesAsync(32)).Value.Select(message => message.MessageId);
        await harness.ScoreAsync(sale);
        await processor.ProcessAsync(Message(handedOver, ret.ReceiptId), CancellationToken.None);

        Assert.Equal("accepted", waiting.GetString("Status"));
        Assert.Equal(1, waiting.GetInt32("ReturnWaits"));
        Assert.NotEqual(ret.MessageId, handedOver);
        Assert.DoesNotContain(handedOver, visibleNow);
        Assert.Equal(-150, (await harness.ReceiptAsync(ret.ReceiptId)).GetInt64("Points"));
        var balance = await harness.BalanceAsync(memberId);
        Assert.Equal(150, balance.Earned);
        Assert.Equal(150, balance.Reversed);
    }

    [Fact]
    public async Task A_message_that_comes_before_its_receipt_is_stored_is_asked_again_under_the_same_owner_instead_of_failing()
    {
        var chainId = SampleReceipts.NewChainId("early");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var receipt = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, "EARLY-1", null, 10.00m, await harness.GreenAndLowVocGtinAsync())))[0];

        // The message is there, the receipt not yet (its post is still storing it).
        var stored = await harness.ReceiptAsync(receipt.ReceiptId);
        var receipts = azurite.Tables.GetTableClient("Receipts");
        await receipts.DeleteEntityAsync(stored.PartitionKey, stored.RowKey);
        var queue = azurite.Queues.GetQueueClient("receipts-to-score");
        var queuedBefore = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        var processor = harness.Services.GetRequiredService<ScoringProcessor>();

        await processor.ProcessAsync(Message(receipt.MessageId, receipt.ReceiptId), CancellationToken.None);

        Assert.Equal(queuedBefore + 1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        // The receipt lands; the message sent again (another id, the first one as owner) scores it.
        await receipts.AddEntityAsync(stored);
        var again = QueuesModelFactory.QueueMessage(Guid.NewGuid().ToString(), "pop",
            BinaryData.FromObjectAsJson(new { receiptIds = new[] { receipt.ReceiptId }, ownerMessageId = receipt.MessageId, firstSentAt = DateTimeOffset.UtcNow }), 1, insertedOn: DateTimeOffset.UtcNow);
        await processor.ProcessAsync(again, CancellationToken.None);

        Assert.Equal("scored", (await harness.ReceiptAsync(receipt.ReceiptId)).GetString("Status"));
    }

    private static QueueMessage Message(string messageId, string receiptId) =>
        QueuesModelFactory.QueueMessage(messageId, "pop", BinaryData.FromObjectAsJson(new { receiptIds = new[] { receiptId } }), 1, insertedOn: DateTimeOffset.UtcNow);

    private async Task<List<JsonObject>> DrainEventsAsync()
    {
        var queue = azurite.Queues.GetQueueClient("greenpoints-events");
        var events = new List<JsonObject>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32)).Value;
            if (batch.Length == 0)
            {
                return events;
            }

            foreach (var message in batch)
            {
                events.Add(JsonNode.Parse(message.Body.ToString())!.AsObject());
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }
}
