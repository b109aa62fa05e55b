using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace PosGreenPoints.Benchmarks;

internal static class Memory
{
    public const double Mb = 1024 * 1024;

    public static long PeakWorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    /// <summary>
    /// Resets the process's peak resident set (VmHWM, which PeakWorkingSet64 reads on Linux) to its current
    /// size, so a later figure is the peak of what ran since; false where the kernel does not allow it.
    /// </summary>
    public static bool TryResetPeak()
    {
        // Aggressive: compact and give back to the system what earlier sections left (a plain collection
        // keeps the freed segments committed, and a run after section 1's million-row index started at
        // 374 MB of which little was live), so the figure is this section's own.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>VmHWM from /proc/self/status (Linux), in bytes; null elsewhere.</summary>
    public static long? VmHwm()
    {
        const string path = "/proc/self/status";
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
