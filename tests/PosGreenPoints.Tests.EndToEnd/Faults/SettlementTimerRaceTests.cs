using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs.Models;
using PosGreenPoints.Contracts.Events;
using PosGreenPoints.Contracts.Settlements;
using Xunit.Abstractions;

namespace PosGreenPoints.Tests.EndToEnd.Faults;

/// <summary>
/// The settlement timer fired on two instances at the same moment, for several chains at once. Two
/// instances of one app fire a timer once between them (the singleton lock, docs/local-runner.md,
/// "Timer"); two host ids on one storage account do not share the lock (two Function Apps, or a slot,
/// on one account, or a lock lost to a storage outage), and the settlement must stay right then too.
/// </summary>
[Collection(FaultTests.Name)]
public sealed partial class SettlementTimerRaceTests(ITestOutputHelper output)
{
    /// <summary>The production schedule: 18:30 UTC, 02:30 the next day in Asia/Shanghai.</summary>
    private const string Schedule = "0 30 18 * * *";

    /// <summary>How long before the occurrence both runners are started: enough for both to be up on a loaded machine.</summary>
    private static readonly TimeSpan Lead = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Settlement_timer_firing_on_two_runners_at_once_publishes_each_chain_day_once_with_the_ledger_totals()
    {
        await using var scenario = await FaultScenario.StartAsync(output);
        // Today's instance, its timer off: the two racing instances are the only ones with timer state.
        var today = await scenario.StartRunnerAsync(new Dictionary<string, string?> { ["AzureWebJobs.SettleYesterday.Disabled"] = "true" });
        await scenario.SetUpAsync(today, chainCount: 3);
        using (var client = scenario.PosClient(today))
        {
            var receipts = scenario.Chains.SelectMany(chainId => FaultScenario.Receipts(chainId, 40, FaultScenario.NewMembers(8), "timer")).ToList();
            var receiptIds = (await Task.WhenAll(receipts.Chunk(40).Select(batch => FaultScenario.PostAcknowledgedAsync(client, batch)))).SelectMany(ids => ids).ToList();
            var scored = await scenario.WaitForScoredAsync(client, receiptIds, TimeSpan.FromSeconds(40));
            foreach (var chainId in scenario.Chains)
            {
                await scenario.AssertBooksBalanceAsync(client, chainId, scored.Where(receipt => receipt.ChainId == chainId).ToList());
            }
        }

        await scenario.StopRunnerAsync(today);
        var ledgers = new Dictionary<string, IReadOnlyList<LedgerRow>>();
        foreach (var chainId in scenario.Chains)
        {
            ledgers[chainId] = await scenario.LedgerAsync(chainId);
        }

        // Both clocks a little before the first occurrence after the last posting day has ended: both
        // instances wait for the same occurrence and fire it at the same moment.
        var lastDay = ledgers.Values.SelectMany(rows => rows).Max(row => row.PostingDate);
        var occurrence = new DateTimeOffset(lastDay.ToDateTime(new TimeOnly(18, 30)), TimeSpan.Zero);
        Assert.True(occurrence >= FaultScenario.SettleableFrom(lastDay), "the occurrence comes before the day can be settled");
        var settings = new Dictionary<string, string?>(FaultScenario.ScoringDisabled)
        {
            ["SettlementSchedule"] = Schedule,
            ["Clock:Offset"] = (occurrence - Lead - DateTimeOffset.UtcNow).ToString("c", CultureInfo.InvariantCulture),
        };
        var starting = Stopwatch.StartNew();
        // Two host ids: each racer holds its own timer lock, so that both fire.
        var racers = await Task.WhenAll(
            scenario.StartRunnerAsync(new Dictionary<string, string?>(settings) { ["AzureFunctionsWebHost:hostid"] = "settlement-racer-a" }),
            scenario.StartRunnerAsync(new Dictionary<string, string?>(settings) { ["AzureFunctionsWebHost:hostid"] = "settlement-racer-b" }));
        Assert.True(starting.Elapsed < Lead, $"the runners took {starting.Elapsed} to start, past the occurrence");
        var runs = await Task.WhenAll(racers.Select(racer => racer.Process.WaitForOutputAsync(TimerRun(), Lead + TimeSpan.FromSeconds(30))));
        scenario.Log($"both timers ran: {string.Join("; ", runs.Select(run => run.Value))}");

        foreach (var run in runs)
        {
            Assert.Equal("Succeeded", run.Groups["outcome"].Value);
            Assert.Equal(occurrence, DateTimeOffset.Parse(run.Groups["occurrence"].Value, CultureInfo.InvariantCulture));
            // Not past due: the runner was waiting for this occurrence, so both fired at the same moment.
            Assert.Equal("False", run.Groups["pastDue"].Value);
        }

        var published = await SettlementEventsAsync(scenario);
        var container = scenario.Azurite.Blobs.GetBlobContainerClient(FaultScenario.SettlementsContainer);
        using var operatorClient = FaultScenario.OperatorClient(racers[0]);
        foreach (var (chainId, ledger) in ledgers)
        {
            var days = ledger.Select(row => row.PostingDate).Distinct().Order().ToList();
            var blobs = new List<string>();
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, chainId + "/", CancellationToken.None))
            {
                blobs.Add(blob.Name);
            }

            // One file and one manifest per day, and no staging blob left behind by either instance.
            Assert.Equal(days.Count * 2, blobs.Count);
            foreach (var day in days)
            {
                var stem = $"{chainId}-{day:yyyyMMdd}";
                Assert.Single(blobs, name => name.EndsWith($"/{stem}.csv", StringComparison.Ordinal));
                Assert.Single(blobs, name => name.EndsWith($"/{stem}.manifest.json", StringComparison.Ordinal));
                Assert.Equal(1, published.GetValueOrDefault((chainId, day)));

                var manifest = await operatorClient.GetFromJsonAsync<SettlementManifest>($"api/v1/settlements/{chainId}/{day:yyyy-MM-dd}");
                await FaultScenario.AssertSettlementFileEqualsLedgerAsync(operatorClient, manifest!, ledger.Where(row => row.PostingDate == day).ToList());
                scenario.Log($"{chainId} {day:yyyy-MM-dd}: one file, one manifest, one event; {manifest!.RowCount} rows and {manifest.NetPoints} points, as the ledger");
            }
        }

        Assert.Equal(ledgers.Values.Sum(ledger => ledger.Select(row => row.PostingDate).Distinct().Count()), published.Values.Sum());
    }

    /// <summary>The settlement.published events on the events queue, counted by chain and day.</summary>
    private static async Task<Dictionary<(string ChainId, DateOnly Day), int>> SettlementEventsAsync(FaultScenario scenario)
    {
        var queue = scenario.Azurite.Queues.GetQueueClient(FaultScenario.EventsQueue);
        var counts = new Dictionary<(string, DateOnly), int>();
        while (true)
        {
            // Received, not peeked (a peek sees 32 at most): nothing else reads this queue in the test.
            var messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (messages.Length == 0)
            {
                return counts;
            }

            foreach (var message in messages)
            {
                var cloudEvent = JsonNode.Parse(message.Body.ToString())!;
                if ((string?)cloudEvent["type"] == EventTypes.SettlementPublished)
                {
                    var key = ((string)cloudEvent["data"]!["chainId"]!, DateOnly.Parse((string)cloudEvent["data"]!["postingDate"]!, CultureInfo.InvariantCulture));
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }
    }

    [GeneratedRegex(@"Executed 'SettleYesterday' \((?<outcome>Succeeded|Failed), Occurrence=(?<occurrence>[^,]+)(, IsPastDue=(?<pastDue>\w+))?")]
    private static partial Regex TimerRun();
}
