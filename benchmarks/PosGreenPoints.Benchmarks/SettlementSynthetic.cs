using System.Diagnostics;

namespace PosGreenPoints.Benchmarks;

/// <summary>Section 4: the settlement writer over synthetic postings. Run first, so the peak is its own.</summary>
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
        return report =>
        {
            report.Add(Section, $"write {postings:N0} postings to Stream.Null", $"{elapsed:F1} s ({postings / elapsed:N0} postings/s)", "≤ 60 s", elapsed <= 60);
            report.Add(Section, $"peak working set (process, before: {baseline / Memory.Mb:F0} MB)", $"{peak:F0} MB", "≤ 400 MB", peak <= 400);
            if (hwm is { } value)
            {
                report.Add(Section, "VmHWM (/proc/self/status)", $"{value:F0} MB", "≤ 400 MB", value <= 400);
            }
        };
    }
}
