using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Settlement;

/// <summary>
/// The settlement day as a workbook (settlement.md, "For spreadsheets"), rendered from the published CSV
/// the first time it is asked for and kept as a blob beside it: a published day never changes, so
/// neither does its workbook (docs/decisions.md). Sheets <c>postings</c> (the CSV's rows, typed, with a
/// totals row), <c>stores</c> and <c>summary</c> (the manifest).
/// </summary>
public sealed class SettlementWorkbooks(SettlementStore store, TimeProvider clock, ILogger<SettlementWorkbooks> logger)
{
    /// <summary>
    /// Part of the cached blob's name: a change to what the workbook holds bumps it, so that workbooks of
    /// the old layout are no longer served (they cannot be replaced in place, as the blob is written once).
    /// </summary>
    public const int LayoutVersion = 1;

    /// <summary>The metadata entry of a cached workbook naming the SHA-256 of the CSV it was rendered from.</summary>
    public const string SourceSha256Metadata = "sourcesha256";

    private static readonly Dictionary<string, (CellKind Kind, bool Totalled, double Width)> Typing = new(StringComparer.Ordinal)
    {
        ["posting_date"] = (CellKind.Text, false, 12),
        ["business_date"] = (CellKind.Text, false, 12),
        ["receipt_id"] = (CellKind.Text, false, 42),
        ["member_ref"] = (CellKind.Text, false, 34),
        ["line_number"] = (CellKind.WholeNumber, false, 8),
        ["gtin"] = (CellKind.Text, false, 16),
        ["product_name"] = (CellKind.Text, false, 30),
        ["matched_lists"] = (CellKind.Text, false, 26),
        ["list_versions"] = (CellKind.Text, false, 26),
        ["qualifying_amount"] = (CellKind.Money, true, 16),
        ["points"] = (CellKind.WholeNumber, true, 10),
    };

    /// <summary>Every column of the CSV: ids, GTINs and dates as text, amounts with two decimals, points and line numbers as integers.</summary>
    public static readonly IReadOnlyList<WorkbookColumn> Columns = [.. SettlementCsv.Columns.Select(name =>
        Typing.TryGetValue(name, out var typing) ? new WorkbookColumn(name, typing.Kind, typing.Totalled, typing.Width) : new WorkbookColumn(name, CellKind.Text))];

    public static string FileName(string chainId, DateOnly postingDate) =>
        Path.ChangeExtension(SettlementCsv.FileName(chainId, postingDate), ".xlsx");

    public static string BlobPath(string chainId, DateOnly postingDate) =>
        Path.ChangeExtension(SettlementStore.CsvPath(chainId, postingDate), $".v{LayoutVersion}.xlsx");

    public static WorkbookLayout Layout(SettlementManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var stores = manifest.Stores
            .Select(store => (IReadOnlyList<WorkbookCell>)[WorkbookCell.Text(store.StoreId), WorkbookCell.WholeNumber(store.RowCount), WorkbookCell.Money(store.QualifyingAmount), WorkbookCell.WholeNumber(store.NetPoints)])
            .Append([WorkbookCell.Text("total"), WorkbookCell.WholeNumber(manifest.RowCount), WorkbookCell.Money(manifest.QualifyingAmount), WorkbookCell.WholeNumber(manifest.NetPoints)])
            .ToList();
        IReadOnlyList<WorkbookCell>[] summary =
        [
            [WorkbookCell.Text("schemaVersion"), WorkbookCell.WholeNumber(manifest.SchemaVersion)],
            [WorkbookCell.Text("chainId"), WorkbookCell.Text(manifest.ChainId)],
            [WorkbookCell.Text("postingDate"), WorkbookCell.Text(manifest.PostingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))],
            [WorkbookCell.Text("timeZone"), WorkbookCell.Text(manifest.TimeZone)],
            [WorkbookCell.Text("rowCount"), WorkbookCell.WholeNumber(manifest.RowCount)],
            [WorkbookCell.Text("receiptCount"), WorkbookCell.WholeNumber(manifest.ReceiptCount)],
            [WorkbookCell.Text("qualifyingAmount"), WorkbookCell.Money(manifest.QualifyingAmount)],
            [WorkbookCell.Text("pointsAwarded"), WorkbookCell.WholeNumber(manifest.PointsAwarded)],
            [WorkbookCell.Text("pointsReversed"), WorkbookCell.WholeNumber(manifest.PointsReversed)],
            [WorkbookCell.Text("netPoints"), WorkbookCell.WholeNumber(manifest.NetPoints)],
            [WorkbookCell.Text("file.name"), WorkbookCell.Text(manifest.File.Name)],
            [WorkbookCell.Text("file.bytes"), WorkbookCell.WholeNumber(manifest.File.Bytes)],
            [WorkbookCell.Text("file.sha256"), WorkbookCell.Text(manifest.File.Sha256)],
            [WorkbookCell.Text("rulesVersions"), WorkbookCell.Text(string.Join(';', manifest.RulesVersions))],
            [WorkbookCell.Text("generatedAt"), WorkbookCell.Text(manifest.GeneratedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture))],
        ];
        return new WorkbookLayout(
            "postings",
            Columns,
            [
                new WorkbookSheet("stores", ["store_id", "row_count", "qualifying_amount", "net_points"], stores),
                new WorkbookSheet("summary", ["field", "value"], summary),
            ]);
    }

    /// <summary>
    /// Renders the workbook of <paramref name="csv"/>, the file <paramref name="manifest"/> describes, and checks
    /// that its rows and totals are the manifest's: a workbook that disagrees with its CSV is never written whole.
    /// </summary>
    /// <exception cref="InvalidDataException">The CSV is not the one the manifest describes.</exception>
    public static async Task<WorkbookTotals> RenderAsync(Stream csv, SettlementManifest manifest, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var totals = await CsvWorkbook.RenderAsync(csv, Layout(manifest), destination, manifest.GeneratedAt, cancellationToken);
        var amount = decimal.Parse(manifest.QualifyingAmount, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (totals.Rows != manifest.RowCount || totals.Sums["qualifying_amount"] != amount || totals.Sums["points"] != manifest.NetPoints)
        {
            throw new InvalidDataException(
                $"The CSV of {manifest.ChainId} for {manifest.PostingDate:yyyy-MM-dd} gives {totals.Rows} rows, {totals.Sums["qualifying_amount"]} and {totals.Sums["points"]} points; "
                + $"its manifest says {manifest.RowCount}, {manifest.QualifyingAmount} and {manifest.NetPoints}.");
        }

        return totals;
    }

    /// <returns>The day's workbook, streamed from its blob (rendered first if it is not there yet); <c>null</c> when the day is not settled yet.</returns>
    public async Task<SettlementDownload?> OpenAsync(string chainId, DateOnly postingDate, CancellationToken cancellationToken)
    {
        if (await store.GetManifestAsync(chainId, postingDate, cancellationToken) is not { } manifest)
        {
            return null;
        }

        var container = await store.ContainerAsync(cancellationToken);
        var cached = container.GetBlockBlobClient(BlobPath(chainId, postingDate));
        if (await TryDownloadAsync(manifest, cached, cancellationToken) is { } download)
        {
            return download;
        }

        await RenderToBlobAsync(container, manifest, cached, cancellationToken);
        return await TryDownloadAsync(manifest, cached, cancellationToken)
            ?? throw new InvalidOperationException($"The workbook of {chainId} for {postingDate:yyyy-MM-dd} was published and is gone.");
    }

    private static async Task<SettlementDownload?> TryDownloadAsync(SettlementManifest manifest, BlockBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
            return new SettlementDownload(manifest, download.Value.Content, download.Value.Details.ContentLength, download.Value.Details.ETag);
        }
        catch (RequestFailedException failure) when (failure.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Streams the CSV blob through the renderer into a staging blob, then publishes it once, as the CSV is
    /// (<see cref="SettlementStore.PublishOnceAsync"/>): two requests rendering at once write the same bytes,
    /// and the second finds the first's.
    /// </summary>
    private async Task RenderToBlobAsync(BlobContainerClient container, SettlementManifest manifest, BlockBlobClient final, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var staging = container.GetBlockBlobClient($"{final.Name}.{Guid.NewGuid():N}.tmp");
        try
        {
            var csv = await container.GetBlobClient(SettlementStore.CsvPath(manifest.ChainId, manifest.PostingDate)).DownloadStreamingAsync(cancellationToken: cancellationToken);
            using (var source = csv.Value.Content)
            {
                var destination = await staging.OpenWriteAsync(
                    overwrite: true,
                    new BlockBlobOpenWriteOptions { HttpHeaders = new BlobHttpHeaders { ContentType = CsvWorkbook.ContentType } },
                    cancellationToken);
                await using (destination.ConfigureAwait(false))
                {
                    await RenderAsync(source, manifest, destination, cancellationToken);
                }
            }

            var published = await SettlementStore.PublishOnceAsync(
                final, staging, new Dictionary<string, string> { [SourceSha256Metadata] = manifest.File.Sha256 }, cancellationToken);
            logger.LogInformation(
                "Settlement workbook of {ChainId} for {PostingDate} rendered from {RowCount} rows in {Seconds:F1} s ({Outcome})",
                manifest.ChainId, manifest.PostingDate, manifest.RowCount, clock.GetElapsedTime(started).TotalSeconds,
                published ? "published" : "an identical one was published at the same time");
        }
        finally
        {
            // Not the caller's token: a staging blob must not outlive a cancelled request.
            await staging.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }
    }
}
