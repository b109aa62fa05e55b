using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Clearing;

/// <summary>
/// The container <c>clearing</c>: <c>{chainId}/{yyyy}/{MM}/{chainId}-{yyyyMMdd}.clearing.csv</c> and
/// <c>….clearing.json</c> per chain, and the scheme's report of the day under <c>~scheme/</c> (a folder no
/// chain id can name, as ids hold no <c>~</c>). A chain's day is published when its manifest exists,
/// written after its CSV; the scheme's day is cleared when its report exists, written after every manifest.
/// </summary>
public sealed class ClearingStore(BlobServiceClient blobs, StorageProvisioner provisioner)
{
    private const string ManifestSuffix = ".clearing.json";
    private const string SchemeFolder = "~scheme";

    public static readonly JsonSerializerOptions Json = SettlementStore.Json;

    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.Containers.Clearing);

    public static string CsvPath(string chainId, DateOnly day) => $"{Folder(chainId, day)}{ClearingCsv.FileName(chainId, day)}";

    public static string ManifestPath(string chainId, DateOnly day) => $"{Folder(chainId, day)}{chainId}-{Stamp(day)}{ManifestSuffix}";

    public static string ReportPath(DateOnly day) => $"{Folder(SchemeFolder, day)}scheme-{Stamp(day)}.clearing-report.json";

    public async Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        await provisioner.EnsureCreatedAsync(cancellationToken);
        return _container;
    }

    public Task<ClearingManifest?> GetManifestAsync(string chainId, DateOnly day, CancellationToken cancellationToken) =>
        ReadAsync<ClearingManifest>(ManifestPath(chainId, day), cancellationToken);

    /// <returns>The scheme's report of the day, or <c>null</c> when the day is not cleared yet.</returns>
    public Task<ClearingReport?> GetReportAsync(DateOnly day, CancellationToken cancellationToken) =>
        ReadAsync<ClearingReport>(ReportPath(day), cancellationToken);

    public async Task<bool> IsClearedAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        return await container.GetBlobClient(ReportPath(day)).ExistsAsync(cancellationToken);
    }

    /// <summary>The manifests of the chain's cleared days from <paramref name="from"/> to <paramref name="to"/>, in date order.</summary>
    public async Task<IReadOnlyList<ClearingManifest>> ListAsync(string chainId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        var wanted = new SortedDictionary<DateOnly, string>();
        // One listing per month folder rather than one request per day.
        for (var month = new DateOnly(from.Year, from.Month, 1); month <= to; month = month.AddMonths(1))
        {
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

            if (month.Year == DateOnly.MaxValue.Year && month.Month == DateOnly.MaxValue.Month)
            {
                break;
            }
        }

        var manifests = new ClearingManifest?[wanted.Count];
        await Parallel.ForEachAsync(
            wanted.Values.Select((name, index) => (name, index)),
            new ParallelOptions { MaxDegreeOfParallelism = SettlementStore.ListConcurrency, CancellationToken = cancellationToken },
            async (item, token) =>
            {
                var content = await container.GetBlobClient(item.name).DownloadContentAsync(token);
                manifests[item.index] = content.Value.Content.ToObjectFromJson<ClearingManifest>(Json);
            });
        return [.. manifests.Select(manifest => manifest!)];
    }

    /// <returns>The day's CSV of the chain, streamed, with its manifest; <c>null</c> when the chain's day is not published.</returns>
    public async Task<PublishedFile?> OpenFileAsync(string chainId, DateOnly day, CancellationToken cancellationToken)
    {
        if (await GetManifestAsync(chainId, day, cancellationToken) is not { } manifest)
        {
            return null;
        }

        var container = await ContainerAsync(cancellationToken);
        return await PublishedFile.OpenAsync(container.GetBlobClient(CsvPath(chainId, day)), manifest.File.Name, PublishedFile.CsvContentType, manifest.File.Sha256, cancellationToken);
    }

    /// <summary>Writes a JSON blob once (If-None-Match: *).</summary>
    /// <returns><c>true</c> when this call wrote it, <c>false</c> when it was there already.</returns>
    public async Task<bool> WriteOnceAsync<T>(string path, T value, CancellationToken cancellationToken)
    {
        var container = await ContainerAsync(cancellationToken);
        try
        {
            await container.GetBlobClient(path).UploadAsync(
                BinaryData.FromObjectAsJson(value, Json),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException failure) when (failure.Status is 409 or 412)
        {
            return false;
        }
    }

    private async Task<T?> ReadAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        var container = await ContainerAsync(cancellationToken);
        try
        {
            var content = await container.GetBlobClient(path).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<T>(Json);
        }
        catch (RequestFailedException failure) when (failure.Status == 404)
        {
            return null;
        }
    }

    private static string Stamp(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Folder(string chainId, DateOnly day) =>
        $"{chainId}/{day.ToString("yyyy", CultureInfo.InvariantCulture)}/{day.ToString("MM", CultureInfo.InvariantCulture)}/";
}
