using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Integration.Points;

namespace PosGreenPoints.Tests.Integration.Activities;

/// <summary>activities.md against Azurite: scoring exactly once, the two caps under concurrency, lots, settlement rows.</summary>
[Collection(SharedAzurite.Name)]
public sealed class ActivityScoringTests(AzuriteFixture azurite)
{
    private static readonly Caller Operator = new("tests", Role.Operator, new HashSet<string>());

    [Fact]
    public async Task Fifty_activities_of_one_member_scored_at_once_on_two_scorers_hold_both_caps_exactly()
    {
        using var rules = new ActivityRulesFile();
        var chainId = SampleReceipts.NewChainId("actcap");
        await using var first = await ActivityHarness.StartAsync(azurite, rules, chainId);
        await using var second = await ActivityHarness.StartAsync(azurite, rules, chainId);
        var memberId = ScoringHarness.NewMemberId();

        // 25 trips of 10 points (type cap 40) and 25 recycling drops of 2 kg, 10 points (type cap 500):
        // 500 points asked for, the member daily cap is 100. Each in its own message, each message
        // scored by both instances at once, a failure delivered again.
        var activities = new List<(string Id, string MessageId)>();
        for (var number = 0; number < 50; number++)
        {
            activities.AddRange(await first.TakeInAsync(ActivityHarness.Activity(chainId, $"A-{number:D2}", memberId, number % 2 == 0 ? "trip" : "recycle", number % 2 == 0 ? 1 : 2)));
        }

        using var start = new ManualResetEventSlim();
        var scoring = activities.SelectMany(activity => new[] { first.Scorer, second.Scorer }.Select(scorer => Task.Run(async () =>
        {
            start.Wait();
            for (var delivery = 1; ; delivery++)
            {
                var result = await ActivityHarness.ScoreAsync(scorer, activity);
                if (result.Failures.Count == 0 || delivery == 5)
                {
                    return result;
                }
            }
        }))).ToList();
        start.Set();
        var results = await Task.WhenAll(scoring);

        Assert.All(results, result => Assert.Empty(result.Failures));
        var points = new Dictionary<string, long>();
        foreach (var (id, _) in activities)
        {
            var record = await first.RecordAsync(id);
            Assert.Equal(ReceiptStatuses.Scored, record.Status);
            var posting = Assert.Single(await first.PostingsAsync(id));
            Assert.Equal(record.Points, posting.GetInt64("Points"));
            points[id] = record.Points!.Value;
            if (record.Points < 10)
            {
                Assert.NotEmpty(record.NoteList());
            }
        }

        var trips = activities.Where((_, index) => index % 2 == 0).Sum(activity => points[activity.Id]);
        Assert.Equal(ActivityRulesFile.DayCap, points.Values.Sum());
        Assert.InRange(trips, 0, 40);
        Assert.InRange(points.Values.Count(value => value is > 0 and < 10), 0, 2);
        var today = (await first.RecordAsync(activities[0].Id)).BusinessDate;
        Assert.Equal(ActivityRulesFile.DayCap, await first.DayTotalAsync(memberId, today));
        Assert.Equal(trips, await first.DayTotalAsync(memberId, today + "!trip") ?? 0);
        Assert.Equal(ActivityRulesFile.DayCap - trips, await first.DayTotalAsync(memberId, today + "!recycle"));
        var balance = await first.Services.GetRequiredService<WalletReads>().BalanceAsync(memberId, Operator, CancellationToken.None);
        Assert.Equal((ActivityRulesFile.DayCap, ActivityRulesFile.DayCap), (balance!.Earned, balance.Available));
    }

    [Fact]
    public async Task A_message_delivered_again_after_each_write_of_scoring_awards_each_activity_once_within_its_caps()
    {
        using var rules = new ActivityRulesFile();
        var chainId = SampleReceipts.NewChainId("actcrash");
        var crash = new CrashAfterWrites();
        await using var harness = await ActivityHarness.StartAsync(azurite, rules, chainId, null, crash);

        // A trip and 4 kg of recycling of one member, in one message: 10 + 20 points, two lots, the day's
        // totals of both types and of the member.
        async Task<((string Id, string MessageId)[] Activities, string MemberId)> TakeInAsync(string prefix)
        {
            var memberId = ScoringHarness.NewMemberId();
            var taken = await harness.TakeInAsync(
                ActivityHarness.Activity(chainId, prefix + "-TRIP", memberId, "trip", 1),
                ActivityHarness.Activity(chainId, prefix + "-RECYCLE", memberId, "recycle", 4));
            Assert.Single(taken.Select(activity => activity.MessageId).Distinct());
            return ([.. taken], memberId);
        }

        // A clean run counts the writes scoring makes; then the process dies after each of them in turn.
        var (clean, _) = await TakeInAsync("CLEAN");
        crash.Arm(int.MaxValue);
        Assert.Empty((await ActivityHarness.ScoreAsync(harness.Scorer, clean)).Failures);
        var writes = crash.Writes;
        crash.Disarm();
        Assert.InRange(writes, 2, 12);

        for (var allowed = 0; allowed < writes; allowed++)
        {
            var (activities, memberId) = await TakeInAsync($"CRASH-{allowed}");
            crash.Arm(allowed);
            try
            {
                Assert.NotEmpty((await ActivityHarness.ScoreAsync(harness.Scorer, activities)).Failures);
            }
            catch (SimulatedCrashException)
            {
                // Died outside the per-activity handling: the message is delivered again all the same.
            }

            crash.Disarm();
            var redelivered = await ActivityHarness.ScoreAsync(harness.Scorer, activities);
            var again = await ActivityHarness.ScoreAsync(harness.Scorer, activities);

            Assert.Empty(redelivered.Failures);
            Assert.All(activities, activity => Assert.Contains(redelivered.Results[activity.Id], new[] { ScoringResult.Scored, ScoringResult.AlreadyScored }));
            Assert.All(activities, activity => Assert.Equal(ScoringResult.AlreadyScored, again.Results[activity.Id]));
            var posted = await Task.WhenAll(activities.Select(async activity => Assert.Single(await harness.PostingsAsync(activity.Id)).GetInt64("Points")!.Value));
            Assert.Equal((10L, 20L), (posted[0], posted[1]));
            var today = (await harness.RecordAsync(activities[0].Id)).BusinessDate;
            Assert.Equal((30L, 10L, 20L), (await harness.DayTotalAsync(memberId, today), await harness.DayTotalAsync(memberId, today + "!trip"), await harness.DayTotalAsync(memberId, today + "!recycle")));
            var balance = await harness.Services.GetRequiredService<WalletReads>().BalanceAsync(memberId, Operator, CancellationToken.None);
            Assert.Equal((30L, 30L), (balance!.Earned, balance.Available));
            var lots = await harness.Services.GetRequiredService<WalletReads>().LotsAsync(memberId, Operator, CancellationToken.None);
            Assert.Equal(activities.Select(activity => activity.Id).Order(StringComparer.Ordinal), lots!.Lots.Select(lot => lot.LotId!).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task A_type_added_to_the_rules_file_earns_points_with_its_own_pending_period_and_posts_once()
    {
        using var rules = new ActivityRulesFile();
        var chainId = SampleReceipts.NewChainId("acttree");
        await using var harness = await ActivityHarness.StartAsync(azurite, rules, chainId);
        var memberId = ScoringHarness.NewMemberId();
        var planted = (await harness.TakeInAsync(ActivityHarness.Activity(chainId, "TREE-1", memberId, "tree-planting", 2)))[0];

        Assert.Equal(ScoringResult.Scored, (await ActivityHarness.ScoreAsync(harness.Scorer, planted)).Results[planted.Id]);
        Assert.Equal(ScoringResult.AlreadyScored, (await ActivityHarness.ScoreAsync(harness.Scorer, planted)).Results[planted.Id]);

        Assert.Equal(50, (await harness.RecordAsync(planted.Id)).Points);
        var lots = await harness.Services.GetRequiredService<WalletReads>().LotsAsync(memberId, Operator, CancellationToken.None);
        var lot = Assert.Single(lots!.Lots);
        Assert.Equal((planted.Id, chainId, 50L), (lot.LotId, lot.IssuerChainId, lot.Remaining));
        Assert.Equal(TimeSpan.FromDays(3), lot.AvailableAt - lot.EarnedAt);
        var (statement, _) = await harness.Services.GetRequiredService<WalletReads>().StatementAsync(memberId, Operator, new StatementQuery(null, null, null), CancellationToken.None);
        var entry = Assert.Single(statement!.Entries);
        Assert.Equal(("award", 50L, planted.Id), (entry.Kind, entry.Points, entry.Reference));
    }

    [Fact]
    public async Task Activity_rows_of_the_settlement_file_equal_a_calculation_from_the_spec()
    {
        using var rules = new ActivityRulesFile();
        var chainId = SampleReceipts.NewChainId("actsettle");
        await using var harness = await ActivityHarness.StartAsync(azurite, rules, chainId);
        var (alice, bob) = (ScoringHarness.NewMemberId(), ScoringHarness.NewMemberId());

        // By hand from activities.md and settlement.md: points = floor(quantity × pointsPerUnit), the trip cap 40.
        var posted = new (string Store, string Id, string Member, string Type, decimal Quantity, long Points)[]
        {
            ("ST-2", "T-1", alice, "trip", 1, 10),
            ("ST-1", "R-1", alice, "recycle", 3.3m, 16),
            ("ST-1", "T-2", bob, "trip", 1, 10),
            ("ST-10", "TREE-1", bob, "tree-planting", 1, 25),
        };
        var taken = await harness.TakeInAsync([.. posted.Select(item => ActivityHarness.Activity(chainId, item.Id, item.Member, item.Type, item.Quantity, item.Store))]);
        Assert.Empty((await ActivityHarness.ScoreAsync(harness.Scorer, [.. taken])).Failures);

        var day = ActivityHarness.Today();
        await using var tomorrow = AppServices.Build(azurite, new FakeTimeProvider(new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)).AddHours(2.5)), rules.Settings);
        var chain = await tomorrow.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None);
        var manifest = Assert.IsType<SettlementOutcome.Published>(await tomorrow.GetRequiredService<SettlementWriter>().SettleAsync(chain!, day, CancellationToken.None)).Manifest;

        var bytes = (await azurite.Blobs.GetBlobContainerClient("settlements").GetBlobClient(SettlementStore.CsvPath(chainId, day)).DownloadContentAsync()).Value.Content.ToArray();
        var rows = CsvFiles.Rows(bytes);

        var names = new Dictionary<string, string> { ["trip"] = "出行", ["recycle"] = "回收", ["tree-planting"] = "植树" };
        var pseudonyms = tomorrow.GetRequiredService<MemberPseudonyms>();
        var date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var expected = posted
            .Select(item => new Dictionary<string, string>
            {
                ["posting_date"] = date, ["business_date"] = date, ["store_id"] = item.Store, ["terminal_id"] = "GATE-07",
                ["receipt_number"] = item.Id, ["receipt_id"] = $"act~{chainId}~{item.Store}~{day:yyyyMMdd}~GATE-07~{item.Id}",
                ["receipt_type"] = "activity", ["member_ref"] = pseudonyms.Of(chainId, item.Member), ["line_number"] = "1", ["gtin"] = "",
                ["product_name"] = names[item.Type], ["matched_lists"] = item.Type, ["certificate_number"] = "", ["list_versions"] = "activity-test",
                ["qualifying_amount"] = "0.00", ["points"] = item.Points.ToString(CultureInfo.InvariantCulture),
            })
            .OrderBy(row => row["store_id"], StringComparer.Ordinal).ThenBy(row => row["terminal_id"], StringComparer.Ordinal).ThenBy(row => row["receipt_number"], StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected, rows);
        Assert.Equal((4, 4, 61L, 61L, "0.00"), (manifest.RowCount, manifest.ReceiptCount, manifest.PointsAwarded, manifest.NetPoints, manifest.QualifyingAmount));
    }
}
