using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Receipts;

[Collection(SharedAzurite.Name)]
public sealed class ReceiptIntakeTests(AzuriteFixture azurite)
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task A_batch_of_100_receipts_of_one_store_and_day_costs_far_less_than_one_storage_operation_per_receipt()
    {
        await using var services = AppServices.Build(azurite);
        var intake = services.GetRequiredService<ReceiptIntake>();
        var counter = services.GetRequiredService<StorageOperationCounter>();
        var chainId = SampleReceipts.NewChainId();
        var receipts = Enumerable.Range(0, 100).Select(number => Validated(chainId, 0, receiptNumber: $"B-{number:D4}")).ToList();
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        counter.Reset();

        var outcomes = await intake.AcceptAsync(receipts, CancellationToken.None);

        Assert.All(outcomes, outcome => Assert.IsType<IntakeOutcome.Accepted>(outcome));
        Assert.True(counter.Count <= 3, $"{counter.Count} storage operations for 100 receipts");
        Assert.Equal(100, (await StoredAsync(chainId)).Count);
    }

    [Fact]
    public async Task A_single_receipt_costs_two_storage_operations()
    {
        await using var services = AppServices.Build(azurite);
        var counter = services.GetRequiredService<StorageOperationCounter>();
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        counter.Reset();

        await services.GetRequiredService<ReceiptIntake>().AcceptAsync([Validated(SampleReceipts.NewChainId(), 1)], CancellationToken.None);

        Assert.Equal(2, counter.Count);
    }

    [Fact]
    public async Task Five_hundred_receipts_across_stores_are_each_stored_once_and_named_by_one_message()
    {
        await using var services = AppServices.Build(azurite);
        var chainId = SampleReceipts.NewChainId();
        var receipts = Enumerable.Range(0, 500).Select(number => Validated(chainId, number % SampleReceipts.Count, receiptNumber: $"F-{number:D4}")).ToList();

        var outcomes = await services.GetRequiredService<ReceiptIntake>().AcceptAsync(receipts, CancellationToken.None);
        var stored = await StoredAsync(chainId);

        Assert.All(outcomes, outcome => Assert.IsType<IntakeOutcome.Accepted>(outcome));
        Assert.Equal(500, stored.Count);
        Assert.Single(stored.Select(entity => entity.GetString("ScoringMessageId")).Distinct());
    }

    [Fact]
    public async Task Within_one_batch_a_repeated_receipt_is_a_duplicate_and_a_changed_one_a_conflict()
    {
        await using var services = AppServices.Build(azurite);
        var chainId = SampleReceipts.NewChainId();
        var original = Validated(chainId, 2);
        var changed = original with { MemberId = "SOMEONE-ELSE" };

        var outcomes = await services.GetRequiredService<ReceiptIntake>().AcceptAsync([original, original, changed], CancellationToken.None);

        Assert.IsType<IntakeOutcome.Accepted>(outcomes[0]);
        Assert.IsType<IntakeOutcome.Duplicate>(outcomes[1]);
        Assert.IsType<IntakeOutcome.Conflict>(outcomes[2]);
        Assert.Single(await StoredAsync(chainId));
    }

    [Fact]
    public async Task A_batch_with_stored_receipts_accepts_the_new_ones_and_names_the_others_duplicates()
    {
        await using var services = AppServices.Build(azurite);
        var intake = services.GetRequiredService<ReceiptIntake>();
        var chainId = SampleReceipts.NewChainId();
        var receipts = Enumerable.Range(0, 10).Select(number => Validated(chainId, 3, receiptNumber: $"D-{number}")).ToList();
        await intake.AcceptAsync([receipts[2], receipts[7]], CancellationToken.None);

        var outcomes = await intake.AcceptAsync(receipts, CancellationToken.None);

        Assert.Equal([2, 7], outcomes.Select((outcome, index) => (outcome, index)).Where(pair => pair.outcome is IntakeOutcome.Duplicate).Select(pair => pair.index));
        Assert.Equal(8, outcomes.Count(outcome => outcome is IntakeOutcome.Accepted));
        Assert.Equal(10, (await StoredAsync(chainId)).Count);
    }

    [Fact]
    public async Task Replaying_a_stored_batch_of_100_costs_a_few_storage_operations_not_one_transaction_per_receipt()
    {
        await using var services = AppServices.Build(azurite);
        var intake = services.GetRequiredService<ReceiptIntake>();
        var counter = services.GetRequiredService<StorageOperationCounter>();
        var chainId = SampleReceipts.NewChainId();
        var receipts = Enumerable.Range(0, 100).Select(number => Validated(chainId, 0, receiptNumber: $"R-{number:D4}")).ToList();
        await intake.AcceptAsync(receipts, CancellationToken.None);
        counter.Reset();

        var outcomes = await intake.AcceptAsync(receipts, CancellationToken.None);

        Assert.All(outcomes, outcome => Assert.IsType<IntakeOutcome.Duplicate>(outcome));
        // Message sent, transaction refused, one range query, message deleted.
        Assert.True(counter.Count <= 5, $"{counter.Count} storage operations to replay 100 stored receipts");
        Assert.Equal(100, (await StoredAsync(chainId)).Count);
    }

    [Fact]
    public async Task Concurrent_intakes_while_a_scorer_holds_their_messages_all_answer_and_store_once()
    {
        // A scorer that has received a loser's message changes its pop receipt, so the loser's delete
        // answers 400 PopReceiptMismatch; that must not turn a duplicate into a failure.
        await using var services = AppServices.Build(azurite);
        var intake = services.GetRequiredService<ReceiptIntake>();
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        var queue = azurite.Queues.GetQueueClient("receipts-to-score");
        using var stop = new CancellationTokenSource();
        var held = 0;
        var scorer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var received = await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), CancellationToken.None);
                held += received.Value.Length;
            }
        });

        var chainId = SampleReceipts.NewChainId();
        for (var round = 0; round < 10; round++)
        {
            var receipt = Validated(chainId, 4, receiptNumber: $"H-{round}");
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => intake.AcceptAsync([receipt], CancellationToken.None))));

            Assert.Equal(1, outcomes.Count(outcome => outcome[0] is IntakeOutcome.Accepted));
            Assert.Equal(19, outcomes.Count(outcome => outcome[0] is IntakeOutcome.Duplicate));
        }

        await stop.CancelAsync();
        await scorer;
        Assert.True(held > 0, "the stand-in scorer never received a message, so the race was not tried");
        Assert.Equal(10, (await StoredAsync(chainId)).Count);
    }

    [Fact]
    public async Task Concurrent_intakes_of_one_receipt_store_it_once_and_leave_one_message()
    {
        await using var services = AppServices.Build(azurite);
        var intake = services.GetRequiredService<ReceiptIntake>();
        var chainId = SampleReceipts.NewChainId();
        var receipt = Validated(chainId, 4);
        var queue = azurite.Queues.GetQueueClient("receipts-to-score");
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        var before = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => intake.AcceptAsync([receipt], CancellationToken.None))));

        Assert.Equal(1, outcomes.Count(outcome => outcome[0] is IntakeOutcome.Accepted));
        Assert.Equal(19, outcomes.Count(outcome => outcome[0] is IntakeOutcome.Duplicate));
        Assert.Equal(before + 1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task The_stored_body_reads_back_as_the_validated_receipt()
    {
        await using var services = AppServices.Build(azurite);
        var chainId = SampleReceipts.NewChainId();
        var receipt = Validated(chainId, 5);

        await services.GetRequiredService<ReceiptIntake>().AcceptAsync([receipt], CancellationToken.None);
        var stored = Assert.Single(await StoredAsync(chainId));

        Assert.Equal(receipt, ValidatedReceipt.FromCanonicalJson(stored.GetString("Body")));
        Assert.Equal(receipt.ContentHash, stored.GetString("ContentHash"));
        Assert.Equal(ReceiptStatuses.Accepted, stored.GetString("Status"));
    }

    internal static ValidatedReceipt Validated(string chainId, int sample, string? receiptNumber = null)
    {
        var json = SampleReceipts.Receipt(sample, chainId, DateTimeOffset.UtcNow.AddHours(-1));
        if (receiptNumber is not null)
        {
            json["receiptNumber"] = receiptNumber;
        }

        using var document = JsonDocument.Parse(json.ToJsonString());
        var validation = ReceiptValidator.Validate(document.RootElement, new ReceiptValidationContext(DateTimeOffset.UtcNow, 30, _ => Shanghai));
        return Assert.IsType<ReceiptValidation.Valid>(validation).Receipt;
    }

    private async Task<List<TableEntity>> StoredAsync(string chainId)
    {
        var stored = new List<TableEntity>();
        await foreach (var entity in azurite.Tables.GetTableClient("Receipts").QueryAsync<TableEntity>(entity => entity.GetString("ChainId") == chainId))
        {
            stored.Add(entity);
        }

        return stored;
    }
}
