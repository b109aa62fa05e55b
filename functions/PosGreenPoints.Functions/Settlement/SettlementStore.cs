using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Settlement;

/// <summary>
/// The container <c>settlements</c>: <c>{chainId}/{yyyy}/{MM}/{chainId}-{yyyyMMdd}.csv</c> and
/// <c>….manifest.json</c>. A day is published when its manifest exists; the manifest is written only
/// after its CSV is complete, so the manifest is what readers go by.
/// </summary>
public sealed class SettlementStore(BlobServiceClient blobs, StorageProvisioner provisioner)
{
    /// <summary>The metadata entry of a published CSV holding its SHA-256, compared when a day is generated again.</summary>
    public const string Sha256Metadata = "sha256";

    public const int ListConcurrency = 8;

    private const string ManifestSuffix = ".manifest.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.Containers.Settlements);

    public static string CsvPath(string chainId, DateOnly postingDate) =>
        $"{Folder(chainId, postingDate)}{SettlementCsv.FileName(chainId, postingDate)}";

    public static string ManifestPath(string chainId, DateOnly postingDate) =>
        $"{Folder(chainId, postingDate)}{chainId}-{postingDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}{ManifestSuffix}";

    public async Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        await provisioner.EnsureCreatedAsync(cancellationToken);
        return _container;
    }

    /// <returns>The day's manifest, or <c>null</c> when the day is not settled yet.</returns>
    public async Task<SettlementManifest?> GetManifestAsync(string chainId, DateOnly postingDate, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        try
        {
            var content = await container.GetBlobClient(ManifestPath(chainId, postingDate)).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<SettlementManifest>(Json);
        }
        catch (RequestFailedException failure) when (failure.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> IsPublishedAsync(string chainId, DateOnly postingDate, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        return await container.GetBlobClient(ManifestPath(chainId, postingDate)).ExistsAsync(cancellationToken);
    }

    /// <summary>The manifests of the settled days from <paramref name="from"/> to <paramref name="to"/>, in date order.</summary>
    public async Task<IReadOnlyList<SettlementManifest>> ListAsync(string chainId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        var wanted = new SortedDictionary<DateOnly, string>();
        // One listing per month folder rather than one request per day: most days of a range are settled.
        for (var month = new DateOnly(from.Year, from.Month, 1); month <= to; month = month.AddMonths(1))
        {
            var lastMonth = month.Year == DateOnly.MaxValue.Year && month.Month == DateOnly.MaxValue.Month;
            var prefix = $"{Folder(chainId, month)}{chainId}-";
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
            {
                var name = blob.Name.AsSpan(prefix.Length);
                if (name.EndsWith(ManifestSuffix, StringComparison.Ordinal)
                    && DateOnly.TryParseExact(name[..^ManifestSuffix.Length], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                    && day >= from && day <= to)
                {
                    wanted[day] = blob.Name;
                }
            }

            if (lastMonth)
            {
                // December 9999 has no next month to step to.
                break;
            }
        }

        var manifests = new SettlementManifest?[wanted.Count];
        await Parallel.ForEachAsync(
            wanted.Values.Select((name, index) => (name, index)),
            new ParallelOptions { MaxDegreeOfParallelism = ListConcurrency, CancellationToken = cancellationToken },
            async (item, token) =>
            {
                var content = await container.GetBlobClient(item.name).DownloadContentAsync(token);
                manifests[item.index] = content.Value.Content.ToObjectFromJson<SettlementManifest>(Json);
            });
        return [.. manifests.Select(manifest => manifest!)];
    }

    /// <returns>The day's CSV, streamed from storage, with its manifest; <c>null</c> when the day is not settled yet.</returns>
    public async Task<PublishedFile?> OpenFileAsync(string chainId, DateOnly postingDate, CancellationToken cancellationToken)
    {
        if (await GetManifestAsync(chainId, postingDate, cancellationToken) is not { } manifest)
        {
            return null;
        }

        var container = await ContainerAsync(cancellationToken);
        return await PublishedFile.OpenAsync(container.GetBlobClient(CsvPath(chainId, postingDate)), manifest.File.Name, PublishedFile.CsvContentType, manifest.File.Sha256, cancellationToken);
    }

    /// <summary>
    /// Copies <paramref name="staging"/> to <paramref name="final"/> with If-None-Match: *, so a published blob
    /// is written once and never replaced, whoever else is publishing it at the same moment.
    /// </summary>
    /// <returns><c>true</c> when this call published the blob, <c>false</c> when one was there already.</returns>
    public static async Task<bool> PublishOnceAsync(BlockBlobClient final, BlockBlobClient staging, IDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(final);
        ArgumentNullException.ThrowIfNull(staging);
        try
        {
            var copy = await final.StartCopyFromUriAsync(
                staging.Uri,
                new BlobCopyFromUriOptions
                {
                    Metadata = metadata,
                    DestinationConditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
            // A copy within one account is normally done at once; what is published next (the manifest, the
            // download) must not come before it is.
            await copy.WaitForCompletionAsync(cancellationToken);
            return true;
        }
        catch (RequestFailedException failure) when (failure.Status is 409 or 412)
        {
            return false;
        }
    }

    private static string Folder(string chainId, DateOnly day) =>
        $"{chainId}/{day.ToString("yyyy", CultureInfo.InvariantCulture)}/{day.ToString("MM", CultureInfo.InvariantCulture)}/";
}
