using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Microsoft.AspNetCore.Http;
using PosGreenPoints.Contracts.ProductLists;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Classification;

/// <summary>What became of a publish.</summary>
public abstract record PublishOutcome
{
    private PublishOutcome()
    {
    }

    /// <summary>The list is valid and its new version is current.</summary>
    public sealed record Published(ProductListVersion Version) : PublishOutcome;

    /// <summary>The bytes are those of the current version, which stays current; nothing was written.</summary>
    public sealed record Unchanged(ProductListVersion Version) : PublishOutcome;

    /// <summary>Some row is not valid; nothing changed.</summary>
    public sealed record Invalid(ProductListValidation Validation) : PublishOutcome;

    /// <summary>The rules name no such list.</summary>
    public sealed record UnknownList : PublishOutcome;

    /// <summary>No upload of this name for this list.</summary>
    public sealed record UploadNotFound : PublishOutcome;

    /// <summary>The body went past the limit; nothing changed.</summary>
    public sealed record TooLarge(long LimitBytes) : PublishOutcome;

    /// <summary>Something changed under the publish (another publish won, the upload was rewritten); nothing changed.</summary>
    public sealed record Conflict(string Detail) : PublishOutcome;
}

/// <summary>
/// Publishes product lists (lists-and-rules.md, "Product lists"). The CSV is read once, as a stream:
/// validated row by row, hashed, and copied into the version blob, which is committed only when every
/// row is valid; then the list's <c>current.json</c> is moved to it with optimistic concurrency. So a publish is
/// atomic: the new version becomes current whole, or nothing changes.
/// <list type="bullet">
/// <item>A version id is <c>{yyyyMMddTHHmmssZ of the publish's start}-{12 random hex}</c>: sortable by time
/// and unique. It is chosen before the bytes are read, because they are written under it as they
/// arrive; the SHA-256 is known only at the end, so it is in the answer and in current.json, not the id.</item>
/// <item>Bytes equal to the current version's (same SHA-256) publish nothing and answer that version, so
/// publishing the same file again is harmless.</item>
/// <item>The current version read at the start must still be current at the end: a publish that another
/// overtook is a conflict and leaves no version behind, rather than silently undo the other.</item>
/// </list>
/// </summary>
public sealed partial class ProductListPublisher(
    PointsRules rules,
    ProductListStore store,
    StorageProvisioner provisioner,
    BlobServiceClient blobs,
    ClassificationIndexProvider index,
    TimeProvider clock)
{
    public const string CsvContentType = "text/csv; charset=utf-8";

    /// <summary>How long an upload URL works.</summary>
    public static readonly TimeSpan UploadLifetime = TimeSpan.FromMinutes(30);

    /// <summary>SAS start times are set back this much, so that a storage clock a little behind ours accepts them.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Validates <paramref name="csv"/> and, when every row is valid, makes it the list's current version.</summary>
    /// <param name="limitBytes">The most the stream may hold; null for no limit.</param>
    public async Task<PublishOutcome> PublishAsync(string listId, Stream csv, long? limitBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (!rules.Lists.TryGetValue(listId, out var rule))
        {
            return new PublishOutcome.UnknownList();
        }

        await provisioner.EnsureCreatedAsync(cancellationToken);
        var current = await store.ReadCurrentAsync(listId, cancellationToken);
        var version = string.Concat(
            clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
            "-",
            RandomNumberGenerator.GetHexString(12, lowercase: true));
        var blobName = ProductListStore.VersionBlobName(listId, version);

        var validator = new ProductListValidator(rule);
        await using var copy = new VersionBlobWriter(store.Versions.GetBlockBlobClient(blobName));
        await using var input = new PublishingReadStream(csv, limitBytes, copy, () => !validator.HasErrors, cancellationToken);
        ProductListValidation validation;
        try
        {
            validation = await validator.ValidateAsync(input, cancellationToken);
        }
        catch (PayloadTooLargeException tooLarge)
        {
            return new PublishOutcome.TooLarge(tooLarge.LimitBytes);
        }

        if (!validation.IsValid)
        {
            return new PublishOutcome.Invalid(validation);
        }

        var sha256 = input.Sha256();
        if (current is not null && current.Published.Sha256 == sha256)
        {
            return new PublishOutcome.Unchanged(View(listId, current.Published));
        }

        await copy.CommitAsync(
            CsvContentType,
            new Dictionary<string, string> { ["sha256"] = sha256, ["rowCount"] = validation.RowCount.ToString(CultureInfo.InvariantCulture) },
            cancellationToken);
        var published = new PublishedVersion(version, sha256, validation.RowCount, clock.GetUtcNow(), blobName);
        if (!await store.TryReplaceCurrentAsync(listId, published, current, cancellationToken))
        {
            // Not the caller's token: the version must go even when the caller has given up.
            await copy.Blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            return new PublishOutcome.Conflict("Another version of this list was published while this one was being read; nothing was changed. Publish again to replace it.");
        }

        // This instance scores with the new version from its next receipt; others within their refresh interval.
        index.Invalidate();
        return new PublishOutcome.Published(View(listId, published));
    }

    /// <summary>Publishes an upload as <see cref="PublishAsync"/> does, streaming it; a published upload is deleted.</summary>
    public async Task<PublishOutcome> PublishUploadAsync(string listId, string upload, CancellationToken cancellationToken)
    {
        if (!rules.Lists.ContainsKey(listId))
        {
            return new PublishOutcome.UnknownList();
        }

        if (!IsUploadName(upload))
        {
            return new PublishOutcome.UploadNotFound();
        }

        var blob = store.Incoming.GetBlobClient(ProductListStore.UploadBlobName(listId, upload));
        PublishOutcome outcome;
        try
        {
            // Not allowing modifications: a blob rewritten while it is read fails the read (412) instead
            // of mixing two files.
            await using var content = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
            outcome = await PublishAsync(listId, content, limitBytes: null, cancellationToken);
        }
        catch (RequestFailedException failure) when (failure.Status == StatusCodes.Status404NotFound)
        {
            return new PublishOutcome.UploadNotFound();
        }
        catch (RequestFailedException failure) when (failure.Status == StatusCodes.Status412PreconditionFailed)
        {
            return new PublishOutcome.Conflict("The upload was rewritten while it was being published; nothing was changed. Publish it again.");
        }

        if (outcome is PublishOutcome.Published or PublishOutcome.Unchanged)
        {
            await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// A new upload's name and a write-only SAS URL for its blob: an account-key SAS where the client
    /// holds the key (Azurite, a connection string), a user-delegation SAS where it signs in with an
    /// identity (Azure), so that no account key is needed in Azure.
    /// </summary>
    /// <returns>Null when the rules name no such list.</returns>
    public async Task<ProductListUpload?> CreateUploadAsync(string listId, CancellationToken cancellationToken)
    {
        if (!rules.Lists.ContainsKey(listId))
        {
            return null;
        }

        await provisioner.EnsureCreatedAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var upload = string.Concat(
            now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
            "-",
            RandomNumberGenerator.GetHexString(32, lowercase: true));
        var blob = store.Incoming.GetBlobClient(ProductListStore.UploadBlobName(listId, upload));
        var expiresAt = now + UploadLifetime;
        var sas = new BlobSasBuilder(BlobSasPermissions.Create | BlobSasPermissions.Write, expiresAt)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = now - ClockSkew,
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };

        Uri uploadUrl;
        if (blob.CanGenerateSasUri)
        {
            uploadUrl = blob.GenerateSasUri(sas);
        }
        else
        {
            var key = await blobs.GetUserDelegationKeyAsync(sas.StartsOn, expiresAt, cancellationToken);
            uploadUrl = new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key.Value, blobs.AccountName) }.ToUri();
        }

        return new ProductListUpload(upload, uploadUrl.AbsoluteUri, expiresAt);
    }

    /// <summary>The current version of each list in the rules that has been published, by list id.</summary>
    public async Task<IReadOnlyList<ProductListVersion>> ListCurrentAsync(CancellationToken cancellationToken)
    {
        var listIds = rules.Lists.Keys.Order(StringComparer.Ordinal).ToList();
        var currents = await Task.WhenAll(listIds.Select(listId => store.ReadCurrentAsync(listId, cancellationToken)));
        return listIds
            .Zip(currents)
            .Where(list => list.Second is not null)
            .Select(list => View(list.First, list.Second!.Published))
            .ToList();
    }

    /// <summary>Whether <paramref name="upload"/> is shaped like a name <see cref="CreateUploadAsync"/> gives.</summary>
    public static bool IsUploadName(string? upload) => upload is not null && UploadNamePattern().IsMatch(upload);

    private static ProductListVersion View(string listId, PublishedVersion published) =>
        new(listId, published.Version, published.RowCount, published.Sha256, published.PublishedAt);

    [GeneratedRegex("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex UploadNamePattern();
}
