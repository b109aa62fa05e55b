using System.Diagnostics;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// Polls one queue for one queue-triggered function with the host's semantics (host.json
/// <c>extensions.queues</c>): a batch of up to <c>batchSize</c> messages run at once, the next batch
/// fetched when no more than <c>newBatchThreshold</c> are still running, polling backs off to
/// <c>maxPollingInterval</c> while the queue is empty, a message is deleted only after the function
/// succeeded, a failed one becomes visible again after <c>visibilityTimeout</c>, and after
/// <c>maxDequeueCount</c> failures it moves to <c>&lt;queue&gt;-poison</c>.
/// </summary>
/// <param name="processingVisibility">
/// How long a received message stays invisible while its function runs, renewed at half time: the
/// host's 10 minutes unless <see cref="ProcessingVisibilitySetting"/> says otherwise. It is also how long
/// the messages of a process that died stay invisible before another instance gets them.
/// </param>
public sealed class QueueTriggerListener(
    FunctionInvoker invoker,
    QueueSettings settings,
    QueueClient queue,
    QueueClient poisonQueue,
    TimeSpan processingVisibility,
    IServiceScopeFactory scopes,
    ILogger<QueueTriggerListener> logger) : BackgroundService
{
    /// <summary>The setting (a TimeSpan) that shortens <c>processingVisibility</c>, for tests that kill a runner and cannot wait 10 minutes.</summary>
    public const string ProcessingVisibilitySetting = "LocalRunner:ProcessingVisibility";

    /// <summary>What the Functions host uses; it has no setting for it.</summary>
    public static readonly TimeSpan DefaultProcessingVisibility = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _completed = new(0);
    private int _running;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = MinimumPollingInterval;
        var inFlight = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (Volatile.Read(ref _running) > settings.EffectiveNewBatchThreshold)
            {
                await _completed.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            QueueMessage[] batch;
            try
            {
                batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, processingVisibility, stoppingToken)).Value;
            }
            catch (RequestFailedException failure) when (failure.Status == 404)
            {
                batch = [];
            }
            catch (Exception failure) when (StorageFailure.IsUnavailable(failure))
            {
                logger.LogWarning("Polling queue {Queue} failed: {Reason}", queue.Name, failure.Message);
                batch = [];
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            if (batch.Length == 0)
            {
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxPollingInterval.Ticks));
                continue;
            }

            delay = MinimumPollingInterval;
            inFlight.RemoveAll(task => task.IsCompleted);
            foreach (var message in batch)
            {
                Interlocked.Increment(ref _running);
                inFlight.Add(Task.Run(() => ProcessAsync(message, stoppingToken), CancellationToken.None));
            }
        }

        await Task.WhenAll(inFlight);
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > settings.MaxDequeueCount)
            {
                // Delivered more often than allowed without a recorded failure (a process died mid-run).
                await MoveToPoisonAsync(message, message.PopReceipt, CancellationToken.None);
                return;
            }

            await RunAsync(message, stoppingToken);
        }
        catch (Exception failure) when (StorageFailure.IsUnavailable(failure))
        {
            // The message stays invisible until its timeout runs out and is then delivered again.
            logger.LogWarning("Completing message {MessageId} on {Queue} failed: {Reason}", message.MessageId, queue.Name, failure.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _completed.Release();
        }
    }

    private async Task RunAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        var popReceipt = message.PopReceipt;
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var keepInvisible = KeepInvisibleAsync(message.MessageId, () => popReceipt, receipt => popReceipt = receipt, renewal.Token);
        var started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await invoker.InvokeAsync(scope.ServiceProvider, type => Bind(message, type), BindingData(message), stoppingToken);
        }
        catch (Exception exception)
        {
            failure = exception;
        }

        await renewal.CancelAsync();
        await keepInvisible;
        var duration = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        if (failure is null)
        {
            await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
            logger.LogInformation("Executed '{Function}' (Succeeded, Id={MessageId}, DequeueCount={DequeueCount}, Duration={Duration}ms)",
                invoker.Function.Name, message.MessageId, message.DequeueCount, duration);
        }
        else if (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: hand the message back at once, to this or another instance.
            await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
        }
        else
        {
            logger.LogError(failure, "Executed '{Function}' (Failed, Id={MessageId}, DequeueCount={DequeueCount}, Duration={Duration}ms)",
                invoker.Function.Name, message.MessageId, message.DequeueCount, duration);
            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, popReceipt, CancellationToken.None);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
    }

    private async Task KeepInvisibleAsync(string messageId, Func<string> popReceipt, Action<string> renewed, CancellationToken token)
    {
        using var timer = new PeriodicTimer(processingVisibility / 2);
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                var receipt = await queue.UpdateMessageAsync(messageId, popReceipt(), visibilityTimeout: processingVisibility, cancellationToken: token);
                renewed(receipt.Value.PopReceipt);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The function finished; nothing more to renew.
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, string popReceipt, CancellationToken cancellationToken)
    {
        await poisonQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poisonQueue.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken);
        logger.LogWarning("Message {MessageId} on {Queue} moved to {PoisonQueue} after {DequeueCount} deliveries",
            message.MessageId, queue.Name, poisonQueue.Name, message.DequeueCount);
    }

    private static object? Bind(QueueMessage message, Type type) =>
        type == typeof(QueueMessage) ? message : FunctionInvoker.ConvertTo(message.Body, type);

    /// <summary>The trigger metadata the queue binding gives a function, by the names the binding uses.</summary>
    private static Dictionary<string, object?> BindingData(QueueMessage message) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Id"] = message.MessageId,
        ["DequeueCount"] = message.DequeueCount,
        ["InsertionTime"] = message.InsertedOn,
        ["ExpirationTime"] = message.ExpiresOn,
        ["NextVisibleTime"] = message.NextVisibleOn,
        ["PopReceipt"] = message.PopReceipt,
    };

    public override void Dispose()
    {
        _completed.Dispose();
        base.Dispose();
    }
}
