using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Runner;

[Collection(SharedAzurite.Name)]
public sealed class RunnerStartupTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_clock_offset_outside_Development_is_refused_at_start()
    {
        await using var process = LocalRunnerProcess.StartProcess(RepositoryPaths.RunnerTestAppDirectory, azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
            ["Clock:Offset"] = "1.00:00:00",
            ["TickSchedule"] = RunnerTestApp.Yearly,
            ["OverrunSchedule"] = RunnerTestApp.Yearly,
        });

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Clock:Offset is honoured only in the Development environment", process.Output);
    }

    [Fact]
    public async Task A_missing_schedule_setting_is_named_at_start()
    {
        await using var process = LocalRunnerProcess.StartProcess(RepositoryPaths.RunnerTestAppDirectory, azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["OverrunSchedule"] = RunnerTestApp.Yearly,
        });

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("The setting 'TickSchedule' used as %TickSchedule% is not set", process.Output);
    }
}
