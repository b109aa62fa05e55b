using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>
/// Creates the app's tables, queues and containers once per instance, before the first storage
/// operation that needs them. In Azure the Bicep has created them already and this costs one request
/// each per instance start; on a fresh Azurite it is what makes the app work at all.
/// </summary>
public sealed class StorageProvisioner(BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables)
{
    private readonly Lock _gate = new();
    private Task? _created;

    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        Task created;
        lock (_gate)
        {
            // A failed attempt (storage down) is forgotten, so the next caller tries again. Not the
            // caller's token: every request arriving meanwhile waits on this one creation, and one
            // caller giving up must not fail it for the others.
            if (_created is null || _created.IsFaulted || _created.IsCanceled)
            {
                _created = CreateAllAsync(CancellationToken.None);
            }

            created = _created;
        }

        return created.WaitAsync(cancellationToken);
    }

    private async Task CreateAllAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            tables.CreateTableIfNotExistsAsync(StorageNames.Tables.Receipts, cancellationToken),
            tables.CreateTableIfNotExistsAsync(StorageNames.Tables.Clients, cancellationToken),
            tables.CreateTableIfNotExistsAsync(StorageNames.Tables.Chains, cancellationToken),
            tables.CreateTableIfNotExistsAsync(StorageNames.Tables.Ledger, cancellationToken),
            tables.CreateTableIfNotExistsAsync(StorageNames.Tables.Members, cancellationToken),
            tables.CreateTableIfNotExistsAsync(StorageNames.Tables.MemberCodes, cancellationToken),
            tables.CreateTableIfNotExistsAsync(StorageNames.Tables.Redemptions, cancellationToken),
            tables.CreateTableIfNotExistsAsync(StorageNames.Tables.Activities, cancellationToken),
            queues.GetQueueClient(StorageNames.Queues.ReceiptsToScore).CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            queues.GetQueueClient(StorageNames.Queues.Events).CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            blobs.GetBlobContainerClient(StorageNames.Containers.Receipts).CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            blobs.GetBlobContainerClient(StorageNames.Containers.ProductLists).CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            blobs.GetBlobContainerClient(StorageNames.Containers.ProductListsIncoming).CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            blobs.GetBlobContainerClient(StorageNames.Containers.Settlements).CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            blobs.GetBlobContainerClient(StorageNames.Containers.Clearing).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
    }
}

/// <summary>A table client that makes sure the app's storage exists before its first use.</summary>
public sealed class ProvisionedTable(StorageProvisioner provisioner, TableServiceClient tables, string tableName)
{
    private readonly TableClient _table = tables.GetTableClient(tableName);

    public async Task<TableClient> GetAsync(CancellationToken cancellationToken)
    {
        await provisioner.EnsureCreatedAsync(cancellationToken);
        return _table;
    }
}
