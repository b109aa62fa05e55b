using System.Diagnostics;
using PosGreenPoints.Functions.Settlement;

namespace PosGreenPoints.Benchmarks;

/// <summary>
/// Section 4: the settlement writer over synthetic postings, then the workbook of such a day rendered from
/// its CSV. Run first, so the peak is its own.
/// </summary>
internal static class SettlementSynthetic
{
    private const string Section = "4 Settlement";

    public static async Task<Action<Report>> RunAsync(int postings)
    {
        var baseline = Memory.PeakWorkingSet();
        var watch = Stopwatch.StartNew();
        var totals = await SettlementBenchmark.WriteSyntheticAsync(postings, Stream.Null, CancellationToken.None);
        var elapsed = watch.Elapsed.TotalSeconds;
        var peak = Memory.PeakWorkingSet() / Memory.Mb;
        var hwm = Memory.VmHwm() / Memory.Mb;
        GC.KeepAlive(totals);
        Action<Report> workbook;
        try
        {
            workbook = await WorkbookAsync(postings);
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            workbook = report => report.NotMeasured(Section, $"XLSX of a {postings:N0}-row day", "≤ 60 s, ≤ 400 MB", "failed: " + failure.Message);
        }

        return report =>
        {
            report.Add(Section, $"write {postings:N0} postings to Stream.Null", $"{elapsed:F1} s ({postings / elapsed:N0} postings/s)", "≤ 60 s", elapsed <= 60);
            report.Add(Section, $"peak working set (process, before: {baseline / Memory.Mb:F0} MB)", $"{peak:F0} MB", "≤ 400 MB", peak <= 400);
            if (hwm is { } value)
            {
                report.Add(Section, "VmHWM (/proc/self/status)", $"{value:F0} MB", "≤ 400 MB", value <= 400);
            }

            workbook(report);
        };
    }

    /// <summary>
    /// The CSV of a day goes to a temporary file first (not timed); the workbook is rendered from it, as the
    /// app renders from the CSV blob, into a write-only stream that only counts, as a blob upload stream takes it.
    /// </summary>
    private static async Task<Action<Report>> WorkbookAsync(int postings)
    {
        var path = Path.Combine(Path.GetTempPath(), $"posgreenpoints-bench-{Guid.NewGuid():N}.csv");
        try
        {
            SettlementTotals totals;
            await using (var file = File.Create(path))
            {
                totals = await SettlementBenchmark.WriteSyntheticAsync(postings, file, CancellationToken.None);
            }

            var reset = Memory.TryResetPeak();
            var before = Memory.PeakWorkingSet();
            var output = new CountingStream();
            var watch = Stopwatch.StartNew();
            await using (var csv = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan))
            {
                await SettlementBenchmark.RenderWorkbookAsync(csv, totals, output, CancellationToken.None);
            }

            var elapsed = watch.Elapsed.TotalSeconds;
            var peak = Memory.PeakWorkingSet() / Memory.Mb;
            var csvMb = new FileInfo(path).Length / Memory.Mb;
            return report =>
            {
                report.Add(Section, $"XLSX of a {postings:N0}-row day from its CSV ({csvMb:F0} MB → {output.Bytes / Memory.Mb:F0} MB)", $"{elapsed:F1} s ({postings / elapsed:N0} rows/s)", "≤ 60 s", elapsed <= 60);
                report.Add(
                    Section,
                    reset ? $"XLSX peak working set (peak reset before it; at start: {before / Memory.Mb:F0} MB)" : "XLSX peak working set (process: peak reset refused, includes the CSV above)",
                    $"{peak:F0} MB",
                    "≤ 400 MB",
                    peak <= 400);
            };
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A write-only, non-seekable sink that counts bytes.</summary>
    private sealed class CountingStream : Stream
    {
        public long Bytes { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Bytes += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Bytes += buffer.Length;
    }
}
