using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
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
        // What the host's schedule monitor leaves for an hourly timer that last ran two hours ago.
        var status = Hosts.GetBlobClient($"timers/{HostId}/Host.Functions.Tick/status");
        await Hosts.CreateIfNotExistsAsync();
        var lastRun = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 2);
        await status.UploadAsync(BinaryData.FromString(
            $"{{\"Last\":\"{lastRun:yyyy-MM-ddTHH:mm:ss}+00:00\",\"Next\":\"{lastRun.AddHours(1):yyyy-MM-ddTHH:mm:ss}+00:00\",\"LastUpdated\":\"{lastRun:yyyy-MM-ddTHH:mm:ss}.0012345+00:00\"}}"), overwrite: true);

        await using var runner = await RunnerTestApp.StartAsync(azurite, new Dictionary<string, string?> { ["TickSchedule"] = "0 0 * * * *", [HostIdSetting] = HostId });
        var ticks = await RunnerTestApp.WaitForObservationsAsync(azurite, "tick", seen => seen.Count >= 1, TimeSpan.FromSeconds(20), runner);

        Assert.True(Assert.Single(ticks).GetBoolean("IsPastDue"));
    }

    [Fact]
    public async Task The_status_blob_has_the_hosts_name_and_format()
    {
        await using var runner = await RunnerTestApp.StartAsync(azurite, new Dictionary<string, string?> { [HostIdSetting] = HostId });
        await RunnerTestApp.WaitForObservationsAsync(azurite, "startup", seen => seen.Count >= 1, TimeSpan.FromSeconds(20), runner);

        // The run on startup is recorded after the function returned: wait for it, not for the first write.
        var status = Hosts.GetBlobClient($"timers/{HostId}/Host.Functions.Startup/status");
        var text = await WaitForAsync(async () => await status.ExistsAsync() && (await status.DownloadContentAsync()).Value.Content.ToString() is var content && !content.Contains("\"Last\":\"0001", StringComparison.Ordinal) ? content : null, runner);

        // Json.NET's ISO format of the host's local times (UTC on Azure): seconds, up to 7 digits of fraction, +00:00.
        const string Time = @"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?\+00:00";
        Assert.Matches($"^{{\"Last\":\"{Time}\",\"Next\":\"2\\d{{3}}-01-01T00:00:00\\+00:00\",\"LastUpdated\":\"{Time}\"}}$", text);
    }

    [Fact]
    public async Task Without_a_configured_host_id_the_runner_derives_one_as_the_host_does_locally()
    {
        await using var runner = await RunnerTestApp.StartAsync(azurite);

        var hostId = Regex.Match(runner.Output, "as host id (?<id>[^;]+);").Groups["id"].Value;
        var machine = new string(Environment.MachineName.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        Assert.Matches("^[a-z0-9]+-[0-9]+$", hostId);
        Assert.True(hostId.Length <= 32, hostId);
        Assert.StartsWith(machine[..Math.Min(machine.Length, 31)], hostId, StringComparison.Ordinal);
        Assert.NotEqual("posgreenpoints.runnertestapp", hostId);
        await WaitForAsync(async () => await Hosts.GetBlobClient($"timers/{hostId}/Host.Functions.Startup/status").ExistsAsync() ? "" : null, runner);
    }

    [Fact]
    public async Task Two_runners_of_one_app_fire_a_timer_on_one_of_them_and_the_other_takes_over_when_it_stops()
    {
        var settings = new Dictionary<string, string?> { ["TickSchedule"] = "* * * * * *", [HostIdSetting] = HostId };
        await using var first = await RunnerTestApp.StartAsync(azurite, settings);
        await RunnerTestApp.WaitForObservationsAsync(azurite, "tick", seen => seen.Count >= 1, TimeSpan.FromSeconds(20), first);
        await using var second = await RunnerTestApp.StartAsync(azurite, settings);
        await second.Process.WaitForOutputAsync(new Regex(@"Unable to acquire Singleton lock \(locks/" + HostId + @"/Host\.Functions\.Tick\.Listener\)"), TimeSpan.FromSeconds(20));

        // While the first holds the lock, the second does not fire: five more seconds of ticks, all the first's.
        var before = (await RunnerTestApp.ObservationsAsync(azurite, "tick")).Count;
        var ticks = await RunnerTestApp.WaitForObservationsAsync(azurite, "tick", seen => seen.Count >= before + 5, TimeSpan.FromSeconds(30), first);
        Assert.All(ticks, tick => Assert.Equal(first.Process.Id, tick.GetInt32("Instance")));
        var lease = await Hosts.GetBlobClient($"locks/{HostId}/Host.Functions.Tick.Listener").GetPropertiesAsync();
        Assert.Equal(Azure.Storage.Blobs.Models.LeaseState.Leased, lease.Value.LeaseState);

        // Stopped as a platform stops an instance: the lease is released, and the second takes the timer at its next poll.
        first.Process.Terminate();
        await first.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var taken = await RunnerTestApp.WaitForObservationsAsync(
            azurite, "tick", seen => seen.Any(tick => tick.GetInt32("Instance") == second.Process.Id), TimeSpan.FromSeconds(40), second);
        Assert.Contains(taken, tick => tick.GetInt32("Instance") == second.Process.Id);
    }

    private const string HostIdSetting = "AzureFunctionsWebHost:hostid";

    /// <summary>A host id of these tests alone, as an app setting gives one.</summary>
    private const string HostId = "runner-timer-tests";

    private BlobContainerClient Hosts => azurite.Blobs.GetBlobContainerClient("azure-webjobs-hosts");

    private static async Task<string> WaitForAsync(Func<Task<string?>> probe, LocalRunnerProcess runner)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"The condition was not met within 30 s.{Environment.NewLine}{runner.Output}");
            }

            await Task.Delay(200);
        }
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
