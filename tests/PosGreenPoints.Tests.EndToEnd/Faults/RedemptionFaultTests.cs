using System.Net;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Tests.EndToEnd.Redemption;
using PosGreenPoints.Tests.Fixtures;
using Xunit.Abstractions;
using static PosGreenPoints.Tests.EndToEnd.Redemption.RedemptionCalls;

namespace PosGreenPoints.Tests.EndToEnd.Faults;

/// <summary>
/// Redemption when the app is scaled out and when it crashes (redemption.md, "Correctness under
/// concurrency"): two runners on one storage taking reservations of one member's points at once, and a
/// runner killed while tills reserve, commit, cancel and refund, which then retry as a till does.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class RedemptionFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Twenty_reservations_at_once_on_two_runners_grant_exactly_what_the_balance_holds_and_commit_once()
    {
        await using var scenario = await FaultScenario.StartAsync(output);
        var runners = await Task.WhenAll(scenario.StartRunnerAsync(), scenario.StartRunnerAsync());
        await scenario.SetUpAsync(runners[0]);
        var chainId = scenario.Chains[0];
        using var operatorClient = FaultScenario.OperatorClient(runners[0]);
        var appKey = await operatorClient.CreateClientAsync("app");
        var tills = runners.Select(scenario.PosClient).ToList();
        var apps = runners.Select(runner => FaultScenario.Client(runner, appKey)).ToList();
        var memberId = NewMemberId("FR");
        await operatorClient.CreditAsync(memberId, chainId, 300);
        var codes = await Task.WhenAll(Enumerable.Range(0, 20).Select(index => apps[index % 2].IssueCodeAsync(memberId)));

        // 20 asks of 40 = 800 against 300 available: 7 fit (280), 13 do not.
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async index =>
        {
            var reservation = Reservation(chainId, $"TWO-{index:D2}", codes[index].Code, 40);
            using var response = await tills[index % 2].ReserveAsync(reservation);
            return (reservation.RedemptionId!, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));
        scenario.Log($"reservations answered: {string.Join(", ", answers.GroupBy(answer => answer.StatusCode).Select(group => $"{group.Count()} × {(int)group.Key}"))}");

        Assert.All(answers, answer => Assert.True(
            answer.StatusCode == HttpStatusCode.Created || (answer.StatusCode == HttpStatusCode.Conflict && answer.Body.Contains("insufficient-points", StringComparison.Ordinal)),
            $"{answer.Item1}: {(int)answer.StatusCode} {answer.Body}"));
        var granted = answers.Where(answer => answer.StatusCode == HttpStatusCode.Created).Select(answer => answer.Item1).ToList();
        Assert.Equal(7, granted.Count);
        var held = await operatorClient.PointsAsync(memberId);
        Assert.Equal((20L, 280L), (held.Available, held.Reserved));

        // Each granted reservation committed from both runners, twice on each, all at once: committed once.
        var commits = await Task.WhenAll(granted.SelectMany(redemptionId => Enumerable.Range(0, 4).Select(async index =>
        {
            using var response = await tills[index % 2].CommitAsync(chainId, redemptionId);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })));
        Assert.All(commits, commit => Assert.True(commit.StatusCode == HttpStatusCode.OK && commit.Body.Contains("\"committed\"", StringComparison.Ordinal), $"{(int)commit.StatusCode} {commit.Body}"));

        var spent = await operatorClient.PointsAsync(memberId);
        Assert.Equal((20L, 0L, 280L, 20L), (spent.Available, spent.Reserved, spent.Redeemed, spent.Balance));
        var statement = await operatorClient.StatementAsync(memberId);
        Assert.Equal(granted.Order(StringComparer.Ordinal), statement.Where(entry => entry.Kind == StatementKinds.Redemption).Select(entry => entry.Reference!).Order(StringComparer.Ordinal));
        Assert.All(statement.Where(entry => entry.Kind == StatementKinds.Redemption), entry => Assert.Equal(-40, entry.Points));
        foreach (var client in tills.Concat(apps))
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task A_runner_killed_amid_reserves_commits_cancels_and_refunds_leaves_each_done_once_after_the_tills_retry()
    {
        await using var scenario = await FaultScenario.StartAsync(output);
        var first = await scenario.StartRunnerAsync();
        await scenario.SetUpAsync(first);
        var chainId = scenario.Chains[0];
        using var setupClient = FaultScenario.OperatorClient(first);
        var appKey = await setupClient.CreateClientAsync("app");
        using var appClient = FaultScenario.Client(first, appKey);
        var members = FaultScenario.NewMembers(8);
        var flows = new List<List<(string Step, Func<HttpClient, Task<HttpResponseMessage>> Send)>>();
        foreach (var memberId in members)
        {
            await setupClient.CreditAsync(memberId, chainId, 1000);
            var (spend, hold, gate) = ($"{memberId}-SPEND", $"{memberId}-HOLD", $"{memberId}-GATE");
            var codes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => appClient.IssueCodeAsync(memberId)));
            flows.Add(
            [
                ("reserve 300", client => client.ReserveAsync(Reservation(chainId, spend, codes[0].Code, 300))),
                ("commit", client => client.CommitAsync(chainId, spend)),
                ("refund 100", client => client.RefundAsync(chainId, spend, "BACK-1", 100)),
                ("reserve 200", client => client.ReserveAsync(Reservation(chainId, hold, codes[1].Code, 200))),
                ("cancel", client => client.CancelAsync(chainId, hold)),
                ("reserve and commit 150", client => client.ReserveAsync(Reservation(chainId, gate, codes[2].Code, 150, commit: true))),
            ]);
        }

        scenario.Log($"{members.Count} members with 1,000 points each and three codes");
        var current = first;
        var replaced = new TaskCompletionSource<LocalRunnerProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = 0;
        var retried = 0;
        var total = flows.Sum(flow => flow.Count);

        async Task RunAsync(List<(string Step, Func<HttpClient, Task<HttpResponseMessage>> Send)> flow)
        {
            foreach (var (step, send) in flow)
            {
                while (true)
                {
                    var runner = Volatile.Read(ref current);
                    using var client = scenario.PosClient(runner);
                    try
                    {
                        using var response = await send(client);
                        var body = await response.Content.ReadAsStringAsync();
                        Assert.True(response.IsSuccessStatusCode, $"{step}: {(int)response.StatusCode} {body}");
                        if (Interlocked.Increment(ref answered) == 12)
                        {
                            killNow.TrySetResult();
                        }

                        break;
                    }
                    catch (HttpRequestException)
                    {
                        // What a till does when its connection dies: the same request again, to whichever
                        // instance answers next.
                        Interlocked.Increment(ref retried);
                        if (runner == first)
                        {
                            await replaced.Task;
                        }
                    }
                }
            }
        }

        var running = flows.Select(flow => Task.Run(() => RunAsync(flow))).ToList();
        await Task.WhenAny(killNow.Task, Task.WhenAll(running));
        await first.KillAsync();
        var answeredAtKill = Volatile.Read(ref answered);
        scenario.Log($"runner killed after {answeredAtKill} of {total} operations were answered");
        var second = await scenario.StartRunnerAsync();
        Volatile.Write(ref current, second);
        replaced.SetResult(second);
        await Task.WhenAll(running);
        scenario.Log($"all {total} operations answered, {retried} sends retried");
        Assert.True(answeredAtKill < total, "the kill came after every operation was answered: nothing was interrupted");
        Assert.True(retried > 0, "no send failed: the kill interrupted nothing");

        // Each operation took effect once: 300 spent, 100 back, 200 held and released, 150 spent.
        using var operatorClient = FaultScenario.OperatorClient(second);
        using var till = scenario.PosClient(second);
        foreach (var memberId in members)
        {
            var points = await operatorClient.PointsAsync(memberId);
            Assert.Equal((650L, 0L, 350L, 650L, 1000L), (points.Available, points.Reserved, points.Redeemed, points.Balance, points.Earned));
            var statement = await operatorClient.StatementAsync(memberId);
            var spentBy = statement.Where(entry => entry.Kind is StatementKinds.Redemption or StatementKinds.Refund)
                .GroupBy(entry => (entry.Kind, entry.Reference)).ToDictionary(group => group.Key, group => group.Sum(entry => entry.Points));
            Assert.Equal(
                new Dictionary<(string, string?), long>
                {
                    [(StatementKinds.Redemption, $"{memberId}-SPEND")] = -300,
                    [(StatementKinds.Refund, "BACK-1")] = 100,
                    [(StatementKinds.Redemption, $"{memberId}-GATE")] = -150,
                },
                spentBy);
            var spend = await AssertRedemptionAsync(await till.GetAsync($"api/v1/redemptions/{chainId}/{memberId}-SPEND"), HttpStatusCode.OK);
            var hold = await AssertRedemptionAsync(await till.GetAsync($"api/v1/redemptions/{chainId}/{memberId}-HOLD"), HttpStatusCode.OK);
            Assert.Equal((RedemptionStatuses.Committed, 100L, RedemptionStatuses.Cancelled), (spend.Status, spend.Refunded, hold.Status));
        }
    }
}
