using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Clearing;

/// <summary>
/// A chain's clearing day as a workbook (settlement.md, "For spreadsheets": clearing files have the same
/// <c>?format=xlsx</c>), rendered from the published CSV the first time it is asked for and kept as a blob
/// beside it, as settlement's are (<see cref="SettlementWorkbooks"/>). Sheets <c>entries</c> (the CSV's
/// rows, typed, with a totals row), <c>counterparties</c> and <c>summary</c> (the manifest).
/// </summary>
public sealed class ClearingWorkbooks(ClearingStore store, TimeProvider clock, ILogger<ClearingWorkbooks> logger)
{
    /// <summary>Part of the cached blob's name: a change to what the workbook holds bumps it.</summary>
    public const int LayoutVersion = 1;

    private static readonly Dictionary<string, (CellKind Kind, bool Totalled, double Width)> Typing = new(StringComparer.Ordinal)
    {
        ["clearing_date"] = (CellKind.Text, false, 12),
        ["reference"] = (CellKind.Text, false, 42),
        ["lot_id"] = (CellKind.Text, false, 42),
        ["member_ref"] = (CellKind.Text, false, 34),
        ["points"] = (CellKind.WholeNumber, true, 10),
        ["yuan_per_point"] = (CellKind.Money, false, 10),
        ["amount"] = (CellKind.Money, true, 14),
    };

    /// <summary>Every column of the CSV: ids and dates as text, amounts with two decimals, points as integers.</summary>
    public static readonly IReadOnlyList<WorkbookColumn> Columns = [.. ClearingCsv.Columns.Select(name =>
        Typing.TryGetValue(name, out var typing) ? new WorkbookColumn(name, typing.Kind, typing.Totalled, typing.Width) : new WorkbookColumn(name, CellKind.Text))];

    public static string FileName(string chainId, DateOnly day) => Path.ChangeExtension(ClearingCsv.FileName(chainId, day), ".xlsx");

    public static string BlobPath(string chainId, DateOnly day) => Path.ChangeExtension(ClearingStore.CsvPath(chainId, day), $".v{LayoutVersion}.xlsx");

    public static WorkbookLayout Layout(ClearingManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var counterparties = manifest.Counterparties
            .Select(counterparty => (IReadOnlyList<WorkbookCell>)[WorkbookCell.Text(counterparty.ChainId), WorkbookCell.Money(counterparty.Receivable), WorkbookCell.Money(counterparty.Payable), WorkbookCell.Money(counterparty.Net)])
            .Append([WorkbookCell.Text("total"), WorkbookCell.Money(manifest.Receivable), WorkbookCell.Money(manifest.Payable), WorkbookCell.Money(manifest.Net)])
            .ToList();
        IReadOnlyList<WorkbookCell>[] summary =
        [
            [WorkbookCell.Text("schemaVersion"), WorkbookCell.WholeNumber(manifest.SchemaVersion)],
            [WorkbookCell.Text("chainId"), WorkbookCell.Text(manifest.ChainId)],
            [WorkbookCell.Text("clearingDate"), WorkbookCell.Text(manifest.ClearingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))],
            [WorkbookCell.Text("timeZone"), WorkbookCell.Text(manifest.TimeZone)],
            [WorkbookCell.Text("receivable"), WorkbookCell.Money(manifest.Receivable)],
            [WorkbookCell.Text("payable"), WorkbookCell.Money(manifest.Payable)],
            [WorkbookCell.Text("net"), WorkbookCell.Money(manifest.Net)],
            [WorkbookCell.Text("pointsIssued"), WorkbookCell.WholeNumber(manifest.PointsIssued)],
            [WorkbookCell.Text("pointsRedeemedHere"), WorkbookCell.WholeNumber(manifest.PointsRedeemedHere)],
            [WorkbookCell.Text("pointsExpired"), WorkbookCell.WholeNumber(manifest.PointsExpired)],
            [WorkbookCell.Text("outstandingPoints"), WorkbookCell.WholeNumber(manifest.OutstandingPoints)],
            [WorkbookCell.Text("outstandingValue"), WorkbookCell.Money(manifest.OutstandingValue)],
            [WorkbookCell.Text("rowCount"), WorkbookCell.WholeNumber(manifest.RowCount)],
            [WorkbookCell.Text("file.name"), WorkbookCell.Text(manifest.File.Name)],
            [WorkbookCell.Text("file.bytes"), WorkbookCell.WholeNumber(manifest.File.Bytes)],
            [WorkbookCell.Text("file.sha256"), WorkbookCell.Text(manifest.File.Sha256)],
            [WorkbookCell.Text("generatedAt"), WorkbookCell.Text(manifest.GeneratedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture))],
        ];
        return new WorkbookLayout(
            "entries",
            Columns,
            [
                new WorkbookSheet("counterparties", ["counterparty_chain_id", "receivable", "payable", "net"], counterparties),
                new WorkbookSheet("summary", ["field", "value"], summary),
            ]);
    }

    /// <summary>Renders the workbook of <paramref name="csv"/> and checks its rows and net against the manifest's.</summary>
    /// <exception cref="InvalidDataException">The CSV is not the one the manifest describes.</exception>
    public static async Task<WorkbookTotals> RenderAsync(Stream csv, ClearingManifest manifest, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var totals = await CsvWorkbook.RenderAsync(csv, Layout(manifest), destination, manifest.GeneratedAt, cancellationToken);
        var net = decimal.Parse(manifest.Net, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (totals.Rows != manifest.RowCount || totals.Sums["amount"] != net)
        {
            throw new InvalidDataException(
                $"The clearing CSV of {manifest.ChainId} for {manifest.ClearingDate:yyyy-MM-dd} gives {totals.Rows} rows and {totals.Sums["amount"]}; its manifest says {manifest.RowCount} and {manifest.Net}.");
        }

        return totals;
    }

    /// <returns>The day's workbook, streamed from its blob (rendered first if it is not there yet); <c>null</c> when the chain's day is not published.</returns>
    public async Task<ClearingDownload?> OpenAsync(string chainId, DateOnly day, CancellationToken cancellationToken)
    {
        if (await store.GetManifestAsync(chainId, day, cancellationToken) is not { } manifest)
        {
            return null;
        }

        var container = await store.ContainerAsync(cancellationToken);
        var cached = container.GetBlockBlobClient(BlobPath(chainId, day));
        if (await TryDownloadAsync(manifest, cached, cancellationToken) is { } download)
        {
            return download;
        }

        await RenderToBlobAsync(container, manifest, cached, cancellationToken);
        return await TryDownloadAsync(manifest, cached, cancellationToken)
            ?? throw new InvalidOperationException($"The clearing workbook of {chainId} for {day:yyyy-MM-dd} was published and is gone.");
    }

    private static async Task<ClearingDownload?> TryDownloadAsync(ClearingManifest manifest, BlockBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
            return new ClearingDownload(manifest, download.Value.Content, download.Value.Details.ContentLength, download.Value.Details.ETag);
        }
        catch (RequestFailedException failure) when (failure.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Streams the CSV through the renderer into a staging blob, then publishes it once, as the CSV is.</summary>
    private async Task RenderToBlobAsync(BlobContainerClient container, ClearingManifest manifest, BlockBlobClient final, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var staging = container.GetBlockBlobClient($"{final.Name}.{Guid.NewGuid():N}.tmp");
        try
        {
            var csv = await container.GetBlobClient(ClearingStore.CsvPath(manifest.ChainId, manifest.ClearingDate)).DownloadStreamingAsync(cancellationToken: cancellationToken);
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
                final, staging, new Dictionary<string, string> { [SettlementWorkbooks.SourceSha256Metadata] = manifest.File.Sha256 }, cancellationToken);
            logger.LogInformation(
                "Clearing workbook of {ChainId} for {ClearingDate} rendered from {RowCount} rows in {Seconds:F1} s ({Outcome})",
                manifest.ChainId, manifest.ClearingDate, manifest.RowCount, clock.GetElapsedTime(started).TotalSeconds,
                published ? "published" : "an identical one was published at the same time");
        }
        finally
        {
            await staging.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }
    }
}
