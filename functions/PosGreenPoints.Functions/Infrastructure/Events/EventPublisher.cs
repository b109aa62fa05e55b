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

    public async Task PublishAsync<T>(CloudEvent<T> cloudEvent, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(cloudEvent, JsonSerializerOptions.Web);
        if (_sender is not null)
        {
            await _sender.SendMessageAsync(
                new ServiceBusMessage(json) { MessageId = cloudEvent.Id, ContentType = "application/cloudevents+json", Subject = cloudEvent.Type },
                cancellationToken);
            return;
        }

        await _queue.SendMessageAsync(json, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_serviceBus is not null)
        {
            await _serviceBus.DisposeAsync();
        }
    }
}
