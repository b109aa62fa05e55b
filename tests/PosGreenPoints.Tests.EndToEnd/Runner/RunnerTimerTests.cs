using System.Globalization;
using Azure.Storage.Blobs.Specialized;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Runner;

[Collection(SharedAzurite.Name)]
public sealed class RunnerTimerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    public Task InitializeAsync() => ClearAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_daily_timer_fires_at_UTC_midnight_of_the_shifted_clock()
    {
        // Put the runner's clock 20 s before the next UTC midnight, so that "0 0 0 * * *" is due soon after
        // the runner has started, even on a loaded machine.
        var now = DateTimeOffset.UtcNow;
        var nextMidnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var offset = nextMidnight - TimeSpan.FromSeconds(20) - now;

        await using var runner = await RunnerTestApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["TickSchedule"] = "0 0 0 * * *",
            ["Clock:Offset"] = offset.ToString("c", CultureInfo.InvariantCulture),
        });
        var ticks = await RunnerTestApp.WaitForObservationsAsync(azurite, "tick", seen => seen.Count >= 1, TimeSpan.FromSeconds(60), runner);
        await Task.Delay(TimeSpan.FromSeconds(2));
        ticks = await RunnerTestApp.ObservationsAsync(azurite, "tick");

        var tick = Assert.Single(ticks);
        var firedAt = tick.GetDateTimeOffset("Now")!.Value;
        Assert.InRange(firedAt, nextMidnight, nextMidnight + TimeSpan.FromSeconds(10));
        Assert.False(tick.GetBoolean("IsPastDue"));
    }

    [Fact]
    public async Task A_timer_with_RunOnStartup_runs_once_when_the_runner_starts()
    {
        await using var runner = await RunnerTestApp.StartAsync(azurite);

        var runs = await RunnerTestApp.WaitForObservationsAsync(azurite, "startup", seen => seen.Count >= 1, TimeSpan.FromSeconds(20), runner);
        await Task.Delay(TimeSpan.FromSeconds(2));
        runs = await RunnerTestApp.ObservationsAsync(azurite, "startup");

        Assert.Single(runs);
    }

    [Fact]
    public async Task An_occurrence_missed_while_the_app_was_down_runs_at_start_and_is_past_due()
    {
        var status = azurite.Blobs.GetBlobContainerClient("azure-webjobs-hosts").GetBlobClient("timers/posgreenpoints.runnertestapp/Tick/status");
        await status.GetParentBlobContainerClient().CreateIfNotExistsAsync();
        var missed = DateTime.UtcNow.AddHours(-1);
        await status.UploadAsync(BinaryData.FromObjectAsJson(new { Last = missed.AddDays(-1), Next = missed, LastUpdated = missed.AddDays(-1) }), overwrite: true);

        await using var runner = await RunnerTestApp.StartAsync(azurite, new Dictionary<string, string?> { ["TickSchedule"] = "0 0 * * * *" });
        var ticks = await RunnerTestApp.WaitForObservationsAsync(azurite, "tick", seen => seen.Count >= 1, TimeSpan.FromSeconds(20), runner);

        Assert.True(Assert.Single(ticks).GetBoolean("IsPastDue"));
    }

    [Fact]
    public async Task Runs_of_one_timer_never_overlap_even_when_a_run_outlasts_the_interval()
    {
        await using var runner = await RunnerTestApp.StartAsync(azurite, new Dictionary<string, string?> { ["OverrunSchedule"] = "* * * * * *" });

        var runs = await RunnerTestApp.WaitForObservationsAsync(azurite, "overrun", seen => seen.Count >= 3, TimeSpan.FromSeconds(30), runner);

        var ordered = runs.Select(run => (Started: run.GetDateTimeOffset("Started")!.Value, Finished: run.GetDateTimeOffset("Finished")!.Value))
            .OrderBy(run => run.Started).ToList();
        for (var index = 1; index < ordered.Count; index++)
        {
            Assert.True(ordered[index].Started >= ordered[index - 1].Finished, $"run {index} started before run {index - 1} finished");
        }
    }

    private async Task ClearAsync()
    {
        await azurite.Tables.GetTableClient("RunnerObservations").DeleteAsync();
        await azurite.Blobs.GetBlobContainerClient("azure-webjobs-hosts").DeleteIfExistsAsync();
    }
}
