using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts.Activities;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Events;
using PosGreenPoints.Functions.Redemption;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Benchmarks;

/// <summary>
/// Section 6: redemption (redemption.md). (a) Storage operations of a reserve and its commit, counted at the
/// SDK, with the commit on the instance that reserved and on another one (whose caches are cold);
/// (b) reservations/s, commits/s and their latency over HTTP through the local runner, beside receipt posts
/// in the same run.
/// </summary>
internal static class RedemptionBenchmark
{
    private const string Section = "6 Redemption";

    public static async Task RunAsync(Report report, int redemptions, int clients)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(redemptions, 1, "--redemptions");
        await CountOperationsAsync(report, redemptions);
        await MeasureThroughTheRunnerAsync(report, redemptions, clients);
    }

    private static async Task CountOperationsAsync(Report report, int count)
    {
        var azurite = new AzuriteFixture();
        await azurite.StartAsync();
        try
        {
            await using var till = StorageBenchmark.Build(azurite, TimeProvider.System);
            await using var otherInstance = StorageBenchmark.Build(azurite, TimeProvider.System);
            var counter = till.GetRequiredService<StorageOperationCounter>();
            var otherCounter = otherInstance.GetRequiredService<StorageOperationCounter>();
            var chainId = "bench-redeem-" + Guid.NewGuid().ToString("N")[..8];
            await till.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new ChainRegistration("Benchmark redemption"), CancellationToken.None);
            var caller = new Caller("bench-till", Role.Pos, new HashSet<string> { chainId });
            var redemptions = till.GetRequiredService<Redemptions>();
            var adjustments = till.GetRequiredService<Adjustments>();

            // One member per redemption, each with an available credit and a fresh code (the app's side, not counted).
            // Both instances warmed (chain, rules and list pointers cached) as a running app's are.
            var warm = await PrepareAsync(adjustments, redemptions, chainId, "W", 2);
            await ReserveAndCommitAsync(redemptions, redemptions, caller, chainId, warm[0], "WARM-0");
            await ReserveAndCommitAsync(redemptions, otherInstance.GetRequiredService<Redemptions>(), caller, chainId, warm[1], "WARM-1");
            var members = await PrepareAsync(adjustments, redemptions, chainId, "R", count);
            long reserve = 0, commitHere = 0, commitElsewhere = 0, events = 0;
            for (var index = 0; index < members.Count; index++)
            {
                var elsewhere = index % 2 == 1;
                counter.Reset();
                otherCounter.Reset();
                var reservation = Reservation(chainId, $"B-{index:D6}", members[index].Code, 100, commit: false);
                Expect(await redemptions.ReserveAsync(reservation, caller, CancellationToken.None), "reserve");
                reserve += counter.Count;
                counter.Reset();
                var committer = elsewhere ? otherInstance.GetRequiredService<Redemptions>() : redemptions;
                Expect(await committer.CommitAsync(chainId, reservation.RedemptionId!, null, caller, CancellationToken.None), "commit");
                var (ops, sent) = elsewhere
                    ? (otherCounter.Count, otherCounter.CountFor(EventPublisher.LocalQueueName))
                    : (counter.Count, counter.CountFor(EventPublisher.LocalQueueName));
                events += sent;
                if (elsewhere)
                {
                    commitElsewhere += ops - sent;
                }
                else
                {
                    commitHere += ops - sent;
                }
            }

            var (here, away) = ((members.Count + 1) / 2, members.Count / 2);
            var perReserve = reserve / (double)members.Count;
            var sameInstance = perReserve + (commitHere / (double)here);
            report.Add(Section, $"reserve ({members.Count} reservations, one member each)", $"{perReserve:F2} storage ops", "", null);
            report.Add(Section, $"commit on the instance that reserved ({here})", $"{commitHere / (double)here:F2} storage ops", "", null);
            report.Add(Section, "reserve + commit, one instance", $"{sameInstance:F2} storage ops", "≤ 6", sameInstance <= 6);
            if (away > 0)
            {
                var otherInstanceTotal = perReserve + (commitElsewhere / (double)away);
                report.Add(Section, $"reserve + commit, commit on another instance ({away}; its redemption index cache cold)", $"{otherInstanceTotal:F2} storage ops", "≤ 6", otherInstanceTotal <= 6);
            }

            report.Add(Section, "events per commit (Service Bus in Azure, an Azurite queue here)", $"{events / (double)members.Count:F2}", "", null);
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    private static async Task<List<(string MemberId, string Code)>> PrepareAsync(Adjustments adjustments, Redemptions redemptions, string chainId, string prefix, int count)
    {
        var members = new List<(string, string)>();
        for (var index = 0; index < count; index++)
        {
            var memberId = $"BR{prefix}{index:D6}{Guid.NewGuid().ToString("N")[..6]}";
            using var credit = JsonDocument.Parse(JsonSerializer.Serialize(new AdjustmentRequest("CREDIT", chainId, 1000, "benchmark"), JsonSerializerOptions.Web));
            var credited = await adjustments.PostAsync(memberId, credit.RootElement, CancellationToken.None);
            if (credited is not AdjustmentRequestOutcome.Done)
            {
                throw new InvalidOperationException($"Crediting a benchmark member answered {credited}.");
            }

            members.Add((memberId, (await redemptions.IssueCodeAsync(memberId, CancellationToken.None)).Code));
        }

        return members;
    }

    private static async Task ReserveAndCommitAsync(Redemptions reserver, Redemptions committer, Caller caller, string chainId, (string MemberId, string Code) member, string redemptionId)
    {
        Expect(await reserver.ReserveAsync(Reservation(chainId, redemptionId, member.Code, 100, commit: false), caller, CancellationToken.None), "reserve");
        Expect(await committer.CommitAsync(chainId, redemptionId, null, caller, CancellationToken.None), "commit");
    }

    private static void Expect(RedemptionOutcome outcome, string what)
    {
        if (outcome is not RedemptionOutcome.Done)
        {
            throw new InvalidOperationException($"The benchmark's {what} answered {outcome}.");
        }
    }

    private static RedemptionRequest Reservation(string chainId, string redemptionId, string code, long points, bool commit) =>
        new(chainId, "SH-0012", "POS-03", redemptionId, code, null, points, RedemptionPurposes.Discount, commit, null);

    /// <summary>
    /// Over HTTP through one runner, <paramref name="clients"/> tills at once: first receipt posts (the
    /// reference), then reservations, then their commits, each of <paramref name="count"/> requests.
    /// </summary>
    private static async Task MeasureThroughTheRunnerAsync(Report report, int count, int clients)
    {
        await using var app = await RunnerOnAzurite.StartAsync();
        var chainId = "bench-till-" + Guid.NewGuid().ToString("N")[..8];
        var operatorClient = app.Client(FunctionAppFixture.OperatorKey);
        await EndToEndBenchmark.ExpectAsync(await operatorClient.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("Benchmark till")), "registering the chain", HttpStatusCode.Created, HttpStatusCode.OK);
        var tillKey = await CreateKeyAsync(operatorClient, ClientRoles.Pos, chainId);
        var appKey = await CreateKeyAsync(operatorClient, ClientRoles.App, null);
        var appClient = app.Client(appKey);
        var tills = app.Clients(tillKey, clients);

        // Members with available points (not measured); then receipt posts, the reference; then a code
        // each, issued just before the reservations, which must come within the code's 120 s.
        var members = Enumerable.Range(0, count).Select(index => $"BH{index:D6}").ToArray();
        var codes = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = clients }, async (index, cancellationToken) =>
            await EndToEndBenchmark.ExpectAsync(
                await operatorClient.PostAsJsonAsync($"api/v1/admin/members/{members[index]}/adjustments", new AdjustmentRequest("CREDIT", chainId, 1000, "benchmark"), cancellationToken),
                "crediting a member", HttpStatusCode.Created));
        var receiptPosts = await ConcurrentRequests.SendAsync(tills, count, index =>
            new HttpRequestMessage(HttpMethod.Post, "api/v1/receipts") { Content = Json(Receipt(chainId, index)) },
            HttpStatusCode.Accepted);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = clients }, async (index, cancellationToken) =>
        {
            using var issued = await appClient.PostAsync($"api/v1/members/{members[index]}/codes", null, cancellationToken);
            await EndToEndBenchmark.ExpectAsync(issued, "issuing a code", HttpStatusCode.Created);
            codes[index] = (await issued.Content.ReadFromJsonAsync<MemberCodeIssued>(cancellationToken))!.Code;
        });

        var reservations = await ConcurrentRequests.SendAsync(tills, count, index =>
            new HttpRequestMessage(HttpMethod.Post, "api/v1/redemptions") { Content = JsonContent.Create(Reservation(chainId, $"H-{index:D6}", codes[index], 100, commit: false)) },
            HttpStatusCode.Created);
        var commits = await ConcurrentRequests.SendAsync(tills, count, index =>
            new HttpRequestMessage(HttpMethod.Post, $"api/v1/redemptions/{chainId}/H-{index:D6}/commit"),
            HttpStatusCode.OK);

        var label = $"through the local runner, {clients} tills at once, {count} each";
        Add(report, $"receipt posts ({label})", receiptPosts);
        Add(report, $"reservations ({label})", reservations);
        Add(report, $"commits ({label})", commits);
    }

    private static void Add(Report report, string label, (double PerSecond, double[] Latencies) measured) =>
        report.Add(Section, label,
            $"{measured.PerSecond:N0} /s; p50 {EndToEndBenchmark.Percentile(measured.Latencies, 0.50):N0} ms, p99 {EndToEndBenchmark.Percentile(measured.Latencies, 0.99):N0} ms",
            "report", null);

    private static async Task<string> CreateKeyAsync(HttpClient operatorClient, string role, string? chainId)
    {
        using var created = await operatorClient.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest($"bench-{role}-{Guid.NewGuid():N}", role, chainId is null ? [] : [chainId]));
        await EndToEndBenchmark.ExpectAsync(created, "creating a " + role + " key", HttpStatusCode.Created);
        return (await created.Content.ReadFromJsonAsync<CreatedClient>())!.ApiKey;
    }

    /// <summary>A sample receipt of <paramref name="chainId"/> with a number of its own.</summary>
    private static string Receipt(string chainId, int index)
    {
        var receipt = SampleReceipts.Receipt(index % SampleReceipts.Count, chainId);
        receipt["receiptNumber"] = $"BR{index:D6}";
        return receipt.ToJsonString();
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
