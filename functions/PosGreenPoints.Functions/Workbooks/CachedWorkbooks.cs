using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using PosGreenPoints.Functions.Settlement;

namespace PosGreenPoints.Functions.Workbooks;

/// <summary>
/// What a published day's workbook is made from: its CSV blob, where the workbook is kept beside it, and how
/// the CSV is rendered (with the check against the manifest). <paramref name="Feature"/>, <paramref name="ChainId"/>,
/// <paramref name="Day"/> and <paramref name="RowCount"/> are for the log only.
/// </summary>
public sealed record WorkbookSource(
    string Feature,
    string ChainId,
    DateOnly Day,
    long RowCount,
    BlobContainerClient Container,
    string CsvPath,
    string CsvSha256,
    string WorkbookPath,
    string FileName,
    Func<Stream, Stream, CancellationToken, Task> RenderAsync);

/// <summary>
/// Published days' workbooks (settlement.md, "For spreadsheets"; clearing files have the same), rendered from
/// the published CSV the first time one is asked for and kept as a blob beside it: a published day never
/// changes, so neither does its workbook (docs/decisions.md). Settlement and clearing differ only in their
/// <see cref="WorkbookSource"/>.
/// </summary>
public sealed class CachedWorkbooks(TimeProvider clock, ILogger<CachedWorkbooks> logger)
{
    /// <summary>The metadata entry of a cached workbook naming the SHA-256 of the CSV it was rendered from.</summary>
    public const string SourceSha256Metadata = "sourcesha256";

    /// <returns>The day's workbook, streamed from its blob, rendered first if it is not there yet.</returns>
    public async Task<PublishedFile> OpenAsync(WorkbookSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var cached = source.Container.GetBlockBlobClient(source.WorkbookPath);
        if (await PublishedFile.TryOpenAsync(cached, source.FileName, CsvWorkbook.ContentType, sha256: null, cancellationToken) is { } workbook)
        {
            return workbook;
        }

        await RenderToBlobAsync(source, cached, cancellationToken);
        return await PublishedFile.TryOpenAsync(cached, source.FileName, CsvWorkbook.ContentType, sha256: null, cancellationToken)
            ?? throw new InvalidOperationException($"The {source.Feature} workbook of {source.ChainId} for {source.Day:yyyy-MM-dd} was published and is gone.");
    }

    /// <summary>
    /// Streams the CSV blob through the renderer into a staging blob, then publishes it once, as the CSV is
    /// (<see cref="SettlementStore.PublishOnceAsync"/>): two requests rendering at once write the same bytes,
    /// and the second finds the first's.
    /// </summary>
    private async Task RenderToBlobAsync(WorkbookSource source, BlockBlobClient final, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var staging = source.Container.GetBlockBlobClient($"{final.Name}.{Guid.NewGuid():N}.tmp");
        try
        {
            var csv = await source.Container.GetBlobClient(source.CsvPath).DownloadStreamingAsync(cancellationToken: cancellationToken);
            using (var content = csv.Value.Content)
            {
                var destination = await staging.OpenWriteAsync(
                    overwrite: true,
                    new BlockBlobOpenWriteOptions { HttpHeaders = new BlobHttpHeaders { ContentType = CsvWorkbook.ContentType } },
                    cancellationToken);
                await using (destination.ConfigureAwait(false))
                {
                    await source.RenderAsync(content, destination, cancellationToken);
                }
            }

            var published = await SettlementStore.PublishOnceAsync(
                final, staging, new Dictionary<string, string> { [SourceSha256Metadata] = source.CsvSha256 }, cancellationToken);
            logger.LogInformation(
                "{Feature} workbook of {ChainId} for {Day} rendered from {RowCount} rows in {Seconds:F1} s ({Outcome})",
                source.Feature, source.ChainId, source.Day, source.RowCount, clock.GetElapsedTime(started).TotalSeconds,
                published ? "published" : "an identical one was published at the same time");
        }
        finally
        {
            // Not the caller's token: a staging blob must not outlive a cancelled request.
            await staging.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }
    }
}
