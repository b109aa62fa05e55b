using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.Http;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Functions.Classification;

/// <summary>A published list version, as the list's <c>{listId}/current.json</c> names it.</summary>
/// <param name="Blob">The version's CSV in the <c>product-lists</c> container.</param>
public sealed record PublishedVersion(string Version, string Sha256, int RowCount, DateTimeOffset PublishedAt, string Blob);

/// <summary>A list's current version as read, with the ETag that a replacement must match.</summary>
public sealed record CurrentVersion(PublishedVersion Published, ETag ETag);

/// <summary>
/// Where product lists live in Blob Storage. Container <c>product-lists</c>: the immutable versions
/// <c>{listId}/versions/{version}.csv</c> and <c>{listId}/current.json</c> that names the current one. Container <c>product-lists-incoming</c>: uploads <c>{listId}/{upload}.csv</c>.
/// </summary>
public sealed class ProductListStore(BlobServiceClient blobs)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public BlobContainerClient Versions { get; } = blobs.GetBlobContainerClient(StorageNames.Containers.ProductLists);

    public BlobContainerClient Incoming { get; } = blobs.GetBlobContainerClient(StorageNames.Containers.ProductListsIncoming);

    public static string VersionBlobName(string listId, string version) => $"{listId}/versions/{version}.csv";

    public static string CurrentBlobName(string listId) => $"{listId}/current.json";

    public static string UploadBlobName(string listId, string upload) => $"{listId}/{upload}.csv";

    /// <returns>The list's current version, or null when it was never published.</returns>
    public async Task<CurrentVersion?> ReadCurrentAsync(string listId, CancellationToken cancellationToken)
    {
        try
        {
            var download = await Versions.GetBlobClient(CurrentBlobName(listId)).DownloadContentAsync(cancellationToken);
            var published = download.Value.Content.ToObjectFromJson<PublishedVersion>(Json)
                ?? throw new InvalidDataException($"The current version of {listId} is null.");
            return new CurrentVersion(published, download.Value.Details.ETag);
        }
        catch (RequestFailedException failure) when (failure.Status == StatusCodes.Status404NotFound)
        {
            // No current.json, or not even the container yet: never published.
            return null;
        }
    }

    /// <summary>
    /// Makes <paramref name="next"/> current, if the current version is still <paramref name="expected"/>
    /// (or still none when that is null): two publishes that start from the same version cannot both win.
    /// </summary>
    /// <returns>False when another publish changed the current version first.</returns>
    public async Task<bool> TryReplaceCurrentAsync(string listId, PublishedVersion next, CurrentVersion? expected, CancellationToken cancellationToken)
    {
        var conditions = expected is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = expected.ETag };
        try
        {
            await Versions.GetBlobClient(CurrentBlobName(listId)).UploadAsync(
                BinaryData.FromObjectAsJson(next, Json),
                new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException failure) when (failure.Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed)
        {
            return false;
        }
    }

    /// <summary>Streams a published version's CSV.</summary>
    public async Task<Stream> OpenVersionAsync(PublishedVersion version, CancellationToken cancellationToken) =>
        await Versions.GetBlobClient(version.Blob).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
}
