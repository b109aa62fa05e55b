using System.Diagnostics;
using System.Globalization;
using PosGreenPoints.Functions.Clearing;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Benchmarks;

/// <summary>
/// Section 8 (operations.md: a clearing day of 1,000,000 entries generated in ≤ 60 s and ≤ 400 MB): synthetic
/// posting-log entries of one day, made as they are read, put through the app's own generation as
/// <see cref="ClearingWriter"/> does it — mapped to clearing entries and their two file rows, sorted by the
/// external <see cref="ClearingSpool"/> at the app's default chunk size, handed out chain by chain and written as
/// each chain's CSV (to <see cref="Stream.Null"/>). Only the posting-log read and the blob uploads are left
/// out, as settlement's section leaves out the ledger read, so the figure is the generator's own.
/// </summary>
internal static class ClearingBenchmark
{
    private const string Section = "8 Clearing";
    private const int Chains = 10;
    private const int Members = 200_000;
    private static readonly DateOnly Day = new(2026, 3, 15);
    private static readonly DateTimeOffset DayStart = new(2026, 3, 15, 0, 0, 0, TimeSpan.FromHours(8));

    public static async Task RunAsync(Report report, int entries)
    {
        var reset = Memory.TryResetPeak();
        var before = Memory.PeakWorkingSet();
        var watch = Stopwatch.StartNew();
        var (rows, files, totalNet) = await GenerateAsync(entries, new ClearingOptions().SortChunkRows, CancellationToken.None);
        var elapsed = watch.Elapsed.TotalSeconds;
        var peak = Memory.PeakWorkingSet() / Memory.Mb;
        report.Add(
            Section,
            $"generate a day of {entries:N0} entries ({rows:N0} file rows, {files} chains' CSVs to Stream.Null)",
            $"{elapsed:F1} s ({entries / elapsed:N0} entries/s)",
            "≤ 60 s",
            elapsed <= 60);
        report.Add(
            Section,
            reset ? $"peak working set (peak reset before it; at start: {before / Memory.Mb:F0} MB)" : "peak working set (process: peak reset refused, includes earlier sections)",
            $"{peak:F0} MB",
            "≤ 400 MB",
            peak <= 400);
        report.Add(Section, "scheme total net of the files", ClearingCsv.Money(totalNet), "0.00", totalNet == 0);
    }

    /// <returns>The file rows written, the chains' files, and the sum of every file's net (0 when each row has its mirror).</returns>
    public static async Task<(long Rows, int Files, decimal TotalNet)> GenerateAsync(int entries, int chunkRows, CancellationToken cancellationToken)
    {
        var pseudonyms = new MemberPseudonyms("benchmark-key-not-secret-0123456789abcdef");
        var figures = new DayFigures();
        using var spool = new ClearingSpool(chunkRows);
        foreach (var (memberId, entry) in Postings(entries))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var clearing in ClearingMapping.Entries(memberId, entry))
            {
                var (redeemer, issuer) = ClearingRow.Sides(clearing, pseudonyms);
                spool.Add(redeemer.SpoolKey());
                spool.Add(issuer.SpoolKey());
            }

            foreach (var movement in ClearingMapping.Movements(entry))
            {
                figures.Add(movement);
            }
        }

        var sorted = new ClearingWriter.SortedRows(spool.Sorted().GetEnumerator());
        var (rows, files, totalNet) = (0L, 0, 0m);
        foreach (var chainId in figures.ChainIds.Order(StringComparer.Ordinal))
        {
            var totals = await ClearingCsv.WriteAsync(chainId, Day, sorted.Of(chainId), Stream.Null, cancellationToken);
            (rows, files, totalNet) = (rows + totals.RowCount, files + 1, totalNet + totals.Net);
        }

        return (rows, files, totalNet);
    }

    /// <summary>
    /// One posting-log entry per clearing entry: a redemption at one of 10 chains taking points from a lot another
    /// chain issued, every tenth a refund of such points; 200,000 members, 100 stores a chain, 4 tills a store.
    /// </summary>
    private static IEnumerable<(string MemberId, StatementEntry Entry)> Postings(int count)
    {
        for (var index = 0; index < count; index++)
        {
            var redeemer = index % Chains;
            var issuer = (redeemer + 1 + (index / Chains % (Chains - 1))) % Chains;
            var member = index % Members;
            var points = 1 + (index % 500);
            var refund = index / Chains % 10 == 9;
            var chainId = ChainId(redeemer);
            var take = new LotTake($"{ChainId(issuer)}~{member:D8}~{index % 7}", ChainId(issuer), points);
            yield return (
                $"M{member:D8}",
                new StatementEntry(
                    DayStart.AddMilliseconds(index * 50L),
                    refund ? EntryKinds.Refund : EntryKinds.Redemption,
                    refund ? points : -points,
                    chainId,
                    $"{(refund ? "RF" : "RD")}-{chainId}-{index.ToString("D9", CultureInfo.InvariantCulture)}",
                    null,
                    null,
                    [take])
                {
                    StoreId = $"S-{index / Chains % 100:D4}",
                    TerminalId = $"POS-{index % 4:D2}",
                    YuanPerPoint = 0.01m,
                });
        }
    }

    private static string ChainId(int index) => $"chain-{index:D2}";
}
