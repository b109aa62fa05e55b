using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>
/// Registers one Blob, Queue and Table service client for the app. Microsoft.Extensions.Azure reads a
/// <c>serviceUri</c> key, while the Functions host's identity-based connection uses
/// <c>blobServiceUri</c>/<c>queueServiceUri</c>/<c>tableServiceUri</c>; building the clients here keeps
/// one setting for both.
/// </summary>
public static class StorageClients
{
    /// <summary>Bounded, so that a storage outage answers 503 in seconds instead of hanging a request.</summary>
    private static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(10);
    private const int MaxRetries = 3;

    public static IServiceCollection AddStorageClients(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            var clientOptions = Configure(new BlobClientOptions(), provider);
            return options.ConnectionString is { Length: > 0 } connectionString
                ? new BlobServiceClient(connectionString, clientOptions)
                : new BlobServiceClient(options.BlobServiceUri, Credential(options), clientOptions);
        });
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            // Base64 is what the Functions host expects of a queue-trigger message by default (host.json messageEncoding).
            var clientOptions = Configure(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, provider);
            return options.ConnectionString is { Length: > 0 } connectionString
                ? new QueueServiceClient(connectionString, clientOptions)
                : new QueueServiceClient(options.QueueServiceUri, Credential(options), clientOptions);
        });
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            var clientOptions = Configure(new TableClientOptions(), provider);
            return options.ConnectionString is { Length: > 0 } connectionString
                ? new TableServiceClient(connectionString, clientOptions)
                : new TableServiceClient(options.TableServiceUri, Credential(options), clientOptions);
        });
        return services;
    }

    private static T Configure<T>(T options, IServiceProvider provider) where T : ClientOptions
    {
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.NetworkTimeout = NetworkTimeout;
        // Tests and the benchmark put policies here (operation counting, injected faults); the app none.
        foreach (var policy in provider.GetServices<HttpPipelinePolicy>())
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerCall);
        }

        return options;
    }

    private static TokenCredential Credential(StorageOptions options) =>
        options.ClientId is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
}
