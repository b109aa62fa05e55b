using System.Diagnostics;
using System.Globalization;

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
