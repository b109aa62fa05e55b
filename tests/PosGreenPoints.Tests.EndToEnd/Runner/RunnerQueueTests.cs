using Azure.Storage.Queues;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Runner;

/// <summary>The queue trigger against the test app's host.json: batchSize 4, newBatchThreshold 2, visibilityTimeout 1 s, maxDequeueCount 3.</summary>
[Collection(SharedAzurite.Name)]
public sealed class RunnerQueueTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private LocalRunnerProcess _runner = null!;
    private QueueClient _queue = null!;

    public async Task InitializeAsync()
    {
        _queue = azurite.Queues.GetQueueClient("work-items");
        await _queue.CreateIfNotExistsAsync();
        _runner = await RunnerTestApp.StartAsync(azurite);
    }

    public async Task DisposeAsync()
    {
        // A function records what it saw before the runner deletes its message: let the last deletes
        // happen, so that no message stays invisible into the next test.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while ((await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await _runner.DisposeAsync();
    }

    [Fact]
    public async Task A_message_is_deleted_only_after_the_function_succeeded()
    {
        var tag = RunnerTestApp.Tag();
        var before = (await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        await _queue.SendMessageAsync($"slower:{tag}");

        await RunnerTestApp.WaitForObservationsAsync(azurite, tag + "-started", seen => seen.Count == 1, Patience, _runner);
        var whileRunning = (await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        await RunnerTestApp.WaitForObservationsAsync(azurite, tag, seen => seen.Count == 1, Patience, _runner);
        await WaitUntilAsync(async () => (await _queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == before);

        Assert.Equal(before + 1, whileRunning);
    }

    [Fact]
    public async Task A_failed_message_comes_back_after_the_visibility_timeout_with_a_higher_dequeue_count()
    {
        var tag = RunnerTestApp.Tag();
        await _queue.SendMessageAsync($"fail-once:{tag}");

        var seen = await RunnerTestApp.WaitForObservationsAsync(azurite, tag, seen => seen.Any(o => o.GetString("Outcome") == "succeeded"), Patience, _runner);

        Assert.Equal([1L, 2L], seen.Select(o => o.GetInt64("DequeueCount")!.Value).Order());
        var first = seen.Single(o => o.GetInt64("DequeueCount") == 1);
        var second = seen.Single(o => o.GetInt64("DequeueCount") == 2);
        Assert.True(second.GetDateTimeOffset("Started") - first.GetDateTimeOffset("Finished") >= TimeSpan.FromMilliseconds(900),
            "the retry came before the 1 s visibility timeout ran out");
    }

    [Fact]
    public async Task A_message_that_fails_max_dequeue_count_times_moves_to_the_poison_queue()
    {
        var tag = RunnerTestApp.Tag();
        var poison = azurite.Queues.GetQueueClient("work-items-poison");
        await _queue.SendMessageAsync($"fail:{tag}");

        var poisoned = await WaitUntilAsync(async () =>
        {
            if (!await poison.ExistsAsync())
            {
                return null;
            }

            var peeked = (await poison.PeekMessagesAsync(32)).Value;
            return peeked.FirstOrDefault(message => message.MessageText == $"fail:{tag}");
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        var deliveries = await RunnerTestApp.ObservationsAsync(azurite, tag);

        Assert.NotNull(poisoned);
        Assert.Equal([1L, 2L, 3L], deliveries.Select(o => o.GetInt64("DequeueCount")!.Value).Order());
    }

    [Fact]
    public async Task The_function_gets_the_message_and_its_binding_data_as_the_binding_gives_them()
    {
        var tag = RunnerTestApp.Tag();
        var sent = (await _queue.SendMessageAsync($"ok:{tag}")).Value;

        var seen = (await RunnerTestApp.WaitForObservationsAsync(azurite, tag, seen => seen.Count == 1, Patience, _runner)).Single();

        Assert.Equal($"ok:{tag}", seen.GetString("Text"));
        Assert.Equal(sent.MessageId, seen.GetString("MessageId"));
        Assert.Equal(sent.MessageId, seen.GetString("BoundId"));
        Assert.Equal(1, seen.GetInt64("DequeueCount"));
        Assert.Equal(1, seen.GetInt64("MessageDequeueCount"));
        Assert.Equal(sent.InsertionTime, seen.GetDateTimeOffset("InsertionTime"));
    }

    [Fact]
    public async Task Message_text_is_base64_decoded_as_the_host_does_by_default()
    {
        var tag = RunnerTestApp.Tag();
        var raw = new QueueClient(azurite.ConnectionString, "work-items", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await raw.SendMessageAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"ok:{tag}")));

        var seen = (await RunnerTestApp.WaitForObservationsAsync(azurite, tag, seen => seen.Count == 1, Patience, _runner)).Single();

        Assert.Equal($"ok:{tag}", seen.GetString("Text"));
    }

    [Fact]
    public async Task Messages_run_in_batches_at_once_but_never_more_than_batch_size_plus_new_batch_threshold()
    {
        var tag = RunnerTestApp.Tag();
        var tags = Enumerable.Range(0, 10).Select(index => $"{tag}{index}").ToList();
        foreach (var each in tags)
        {
            await _queue.SendMessageAsync($"slow:{each}");
        }

        var runs = new List<(DateTimeOffset Started, DateTimeOffset Finished)>();
        foreach (var each in tags)
        {
            var seen = (await RunnerTestApp.WaitForObservationsAsync(azurite, each, seen => seen.Count == 1, TimeSpan.FromSeconds(60), _runner)).Single();
            runs.Add((seen.GetDateTimeOffset("Started")!.Value, seen.GetDateTimeOffset("Finished")!.Value));
        }

        var mostAtOnce = runs.Max(run => runs.Count(other => other.Started < run.Finished && run.Started < other.Finished && other.Started <= run.Started));
        Assert.InRange(mostAtOnce, 2, 4 + 2);
    }

    private static async Task<T> WaitUntilAsync<T>(Func<Task<T>> probe)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var value = await probe();
            if (value is not null && !Equals(value, false))
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException("The queue did not reach the expected state in time.");
            }

            await Task.Delay(200);
        }
    }
}
