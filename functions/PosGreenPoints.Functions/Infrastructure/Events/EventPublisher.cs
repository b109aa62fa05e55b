using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PosGreenPoints.Contracts.Events;

namespace PosGreenPoints.Functions.Infrastructure.Events;

/// <summary>Settings of integration events (section <c>Events</c>).</summary>
public sealed class EventOptions
{
    public const string SectionName = "Events";

    /// <summary>The Service Bus namespace (<c>name.servicebus.windows.net</c>), reached with the app's managed identity.</summary>
    public string? ServiceBusNamespace { get; set; }

    /// <summary>A Service Bus connection string, for development against a real namespace; never set in Azure.</summary>
    public string? ServiceBusConnectionString { get; set; }

    /// <summary>The user-assigned managed identity's client id, with <see cref="ServiceBusNamespace"/>.</summary>
    public string? ClientId { get; set; }

    public string Topic { get; set; } = "greenpoints-events";
}

/// <summary>
/// Publishes CloudEvents to the Service Bus topic <c>greenpoints-events</c> with <c>MessageId</c> = the
/// event id, so duplicate detection drops replays; with no Service Bus configured (local runs, tests)
/// to the storage queue of the same name instead, where they can be seen.
/// </summary>
public sealed class EventPublisher : IAsyncDisposable
{
    public const string LocalQueueName = StorageNames.Queues.Events;

    private readonly ServiceBusClient? _serviceBus;
    private readonly ServiceBusSender? _sender;
    private readonly QueueClient _queue;

    public EventPublisher(IOptions<EventOptions> options, QueueServiceClient queues)
    {
        var settings = options.Value;
        if (!string.IsNullOrWhiteSpace(settings.ServiceBusConnectionString))
        {
            _serviceBus = new ServiceBusClient(settings.ServiceBusConnectionString);
        }
        else if (!string.IsNullOrWhiteSpace(settings.ServiceBusNamespace))
        {
            _serviceBus = new ServiceBusClient(
                settings.ServiceBusNamespace,
                new Azure.Identity.DefaultAzureCredential(new Azure.Identity.DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ClientId }));
        }

        _sender = _serviceBus?.CreateSender(settings.Topic);
        _queue = queues.GetQueueClient(LocalQueueName);
    }

    public Task PublishAsync<T>(CloudEvent<T> cloudEvent, CancellationToken cancellationToken) => PublishAsync([cloudEvent], cancellationToken);

    /// <summary>
    /// Publishes several events: on Service Bus in as few sends as batches allow (each message keeps its
    /// own id for duplicate detection); on the storage queue one message each, as queues have no batch send.
    /// </summary>
    public async Task PublishAsync<T>(IReadOnlyList<CloudEvent<T>> cloudEvents, CancellationToken cancellationToken)
    {
        if (_sender is not null)
        {
            var waiting = new Queue<ServiceBusMessage>(cloudEvents.Select(cloudEvent => new ServiceBusMessage(JsonSerializer.Serialize(cloudEvent, JsonSerializerOptions.Web))
            {
                MessageId = cloudEvent.Id,
                ContentType = "application/cloudevents+json",
                Subject = cloudEvent.Type,
            }));
            while (waiting.Count > 0)
            {
                using var batch = await _sender.CreateMessageBatchAsync(cancellationToken);
                while (waiting.Count > 0 && batch.TryAddMessage(waiting.Peek()))
                {
                    waiting.Dequeue();
                }

                if (batch.Count == 0)
                {
                    // Larger than a batch holds: sent alone, where Service Bus says clearly what is wrong.
                    await _sender.SendMessageAsync(waiting.Dequeue(), cancellationToken);
                    continue;
                }

                await _sender.SendMessagesAsync(batch, cancellationToken);
            }

            return;
        }

        await Parallel.ForEachAsync(
            cloudEvents,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (cloudEvent, token) => await _queue.SendMessageAsync(JsonSerializer.Serialize(cloudEvent, JsonSerializerOptions.Web), token));
    }

    public async ValueTask DisposeAsync()
    {
        if (_serviceBus is not null)
        {
            await _serviceBus.DisposeAsync();
        }
    }
}
