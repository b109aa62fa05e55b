using Azure;
using Azure.Storage.Blobs.Specialized;

namespace PosGreenPoints.Functions.Workbooks;

/// <summary>
/// A published day file (a settlement or clearing CSV, or the workbook of one), opened for streaming with
/// what its download answer needs.
/// </summary>
/// <param name="ETag">The blob's entity tag.</param>
/// <param name="Sha256">The SHA-256 the manifest names for these bytes: set for a CSV, the reference; <c>null</c> for a workbook, which is rendered from it.</param>
public sealed record PublishedFile(Stream Content, long Length, ETag ETag, string FileName, string ContentType, string? Sha256)
{
    public const string CsvContentType = "text/csv; charset=utf-8";

    /// <summary>Opens a blob that must be there (a CSV whose manifest is published).</summary>
    public static async Task<PublishedFile> OpenAsync(BlobBaseClient blob, string fileName, string contentType, string? sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
        return new PublishedFile(download.Value.Content, download.Value.Details.ContentLength, download.Value.Details.ETag, fileName, contentType, sha256);
    }

    /// <returns>The blob opened, or <c>null</c> when it is not there (a workbook not rendered yet).</returns>
    public static async Task<PublishedFile?> TryOpenAsync(BlobBaseClient blob, string fileName, string contentType, string? sha256, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(blob, fileName, contentType, sha256, cancellationToken);
        }
        catch (RequestFailedException failure) when (failure.Status == 404)
        {
            return null;
        }
    }
}
