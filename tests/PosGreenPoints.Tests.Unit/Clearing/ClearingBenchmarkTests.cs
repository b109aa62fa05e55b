using PosGreenPoints.Benchmarks;

namespace PosGreenPoints.Tests.Unit.Clearing;

/// <summary>The benchmark's clearing day (section 7) is what it says it is, through the spool's disk runs and its in-memory path alike.</summary>
public sealed class ClearingBenchmarkTests
{
    [Theory]
    [InlineData(1_000)]
    [InlineData(1_000_000)]
    public async Task The_benchmark_hook_writes_two_rows_an_entry_for_ten_chains_netting_to_zero(int chunkRows)
    {
        var (rows, files, totalNet) = await ClearingBenchmark.GenerateAsync(10_000, chunkRows, CancellationToken.None);

        Assert.Equal(20_000, rows);
        Assert.Equal(10, files);
        Assert.Equal(0m, totalNet);
    }
}
