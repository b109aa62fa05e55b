using System.Globalization;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Benchmarks;

/// <summary>
/// The hook of the project's benchmark (operations.md: 1,000,000 postings in ≤ 60 s, ≤ 400 MB): a day of
/// synthetic postings, made as they are read, written as a settlement file. Only the ledger read is
/// left out, so the figure is the writer's own. And the workbook of such a file (≤ 60 s, ≤ 400 MB for
/// 1,000,000 rows), rendered by the app's own code from the CSV as written. It lives here, not in the
/// app, which never runs it; a unit test checks it through <c>InternalsVisibleTo</c>.
/// </summary>
internal static class SettlementBenchmark
{
    public const string ChainId = "bench";
    public static readonly DateOnly PostingDate = new(2026, 3, 15);

    public static Task<SettlementTotals> WriteSyntheticAsync(int postings, Stream destination, CancellationToken cancellationToken) =>
        SettlementCsv.WriteAsync(ChainId, Postings(postings, cancellationToken), destination, new MemberPseudonyms("benchmark-key-not-secret-0123456789abcdef"), cancellationToken);

    /// <summary>Renders the workbook of a CSV that <see cref="WriteSyntheticAsync"/> wrote, with the manifest of its totals.</summary>
    public static Task<WorkbookTotals> RenderWorkbookAsync(Stream csv, SettlementTotals totals, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(totals);
        var manifest = totals.ToManifest(ChainId, PostingDate, "Asia/Shanghai", new DateTimeOffset(2026, 3, 16, 2, 30, 0, TimeSpan.FromHours(8)));
        return SettlementWorkbooks.RenderAsync(csv, manifest, destination, cancellationToken);
    }

    /// <summary>In file order: 100 stores, 4 terminals each, receipts of 3 lines, every tenth receipt a return without a member.</summary>
    public static async IAsyncEnumerable<LedgerPosting> Postings(int count, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int linesPerReceipt = 3;
        var receipts = (count + linesPerReceipt - 1) / linesPerReceipt;
        var perTerminal = Math.Max(1, (receipts + 399) / 400);
        var written = 0;
        for (var receipt = 0; written < count; receipt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var store = $"SH-{receipt / (perTerminal * 4):D4}";
            var terminal = $"POS-{receipt / perTerminal % 4:D2}";
            var number = (receipt % perTerminal).ToString("D8", CultureInfo.InvariantCulture);
            var isReturn = receipt % 10 == 9;
            var receiptId = $"{ChainId}~{store}~20260315~{terminal}~{number}";
            for (var line = 1; line <= linesPerReceipt && written < count; line++, written++)
            {
                var amount = 10.00m + (receipt % 97) + (line * 0.25m);
                yield return new LedgerPosting
                {
                    ChainId = ChainId,
                    PostingDate = "2026-03-15",
                    BusinessDate = "2026-03-15",
                    StoreId = store,
                    TerminalId = terminal,
                    ReceiptNumber = number,
                    ReceiptId = receiptId,
                    ReceiptType = isReturn ? "return" : "sale",
                    MemberId = isReturn ? null : $"M{receipt % 50_000:D8}",
                    LineNumber = line,
                    Gtin = "069" + (receipt % 10_000_000).ToString("D11", CultureInfo.InvariantCulture),
                    ProductName = "节能冰箱 BCD-" + line.ToString(CultureInfo.InvariantCulture),
                    MatchedLists = "certified-green;low-voc",
                    CertificateNumber = "CGP-2026-000123",
                    ListVersions = "2026-03-01.1;2026-03-01.1",
                    QualifyingAmount = (isReturn ? -amount : amount).ToString("0.00", CultureInfo.InvariantCulture),
                    Points = isReturn ? -(long)amount : (long)amount,
                    RulesVersion = "default-2026",
                };
            }

            if (receipt % 1024 == 0)
            {
                await Task.Yield();
            }
        }
    }
}
