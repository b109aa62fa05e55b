using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Activities;

/// <summary>
/// A rules file of its own: a day cap of 100 and three activity types, one of which (<c>tree-planting</c>)
/// the app's rules.json does not have — adding it is this file and nothing else.
/// </summary>
internal sealed class ActivityRulesFile : IDisposable
{
    public const long DayCap = 100;

    private static readonly string[] ListColumns = ["gtin", "valid_from", "valid_to"];

    public ActivityRulesFile()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"activity-rules-{Guid.NewGuid():N}.json");
        File.WriteAllText(Path, JsonSerializer.Serialize(new
        {
            version = "activity-test",
            lists = new Dictionary<string, object> { [$"green-{Guid.NewGuid().ToString("N")[..8]}"] = new { pointsPerYuan = 1.0m, requiredColumns = ListColumns } },
            maxPointsPerReceipt = 5000,
            maxPointsPerMemberPerDay = DayCap,
            activities = new Dictionary<string, object>
            {
                ["trip"] = new { name = "出行", unit = "trip", pointsPerUnit = 10, maxQuantity = 1, maxPointsPerMemberPerDay = 40 },
                ["recycle"] = new { name = "回收", unit = "kg", pointsPerUnit = 5, maxQuantity = 500, maxPointsPerMemberPerDay = 500 },
                ["tree-planting"] = new { name = "植树", unit = "tree", pointsPerUnit = 25, maxQuantity = 10, maxPointsPerMemberPerDay = 1000, pendingDays = 3 },
            },
        }));
    }

    public string Path { get; }

    public Dictionary<string, string?> Settings => new() { ["Rules:Path"] = Path };

    public void Dispose() => File.Delete(Path);
}

/// <summary>The app's real services with <see cref="ActivityRulesFile"/>, a registered service chain, and helpers to take activities in and score them.</summary>
internal sealed class ActivityHarness(AzuriteFixture azurite, ServiceProvider services) : IAsyncDisposable
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public ServiceProvider Services => services;

    public ActivityScorer Scorer => services.GetRequiredService<ActivityScorer>();

    public static async Task<ActivityHarness> StartAsync(AzuriteFixture azurite, ActivityRulesFile rules, string chainId, FakeTimeProvider? clock = null, params HttpPipelinePolicy[] policies)
    {
        var services = AppServices.Build(azurite, clock, rules.Settings, policies);
        await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new ChainRegistration("地铁", Kind: ChainKinds.Service), CancellationToken.None);
        return new ActivityHarness(azurite, services);
    }

    public static JsonObject Activity(string chainId, string activityId, string memberId, string type, decimal quantity, string storeId = "L2-NANJINGDONGLU", DateTimeOffset? occurredAt = null) => new()
    {
        ["chainId"] = chainId, ["storeId"] = storeId, ["terminalId"] = "GATE-07", ["activityId"] = activityId,
        ["type"] = type, ["memberId"] = memberId, ["quantity"] = quantity,
        ["occurredAt"] = (occurredAt ?? DateTimeOffset.UtcNow.AddMinutes(-5)).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
    };

    public ValidatedActivity Validate(JsonObject activity)
    {
        using var document = JsonDocument.Parse(activity.ToJsonString());
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        return Assert.IsType<ActivityValidation.Valid>(ActivityValidator.Validate(document.RootElement, new ReceiptValidationContext(now, 30, _ => Shanghai), services.GetRequiredService<PointsRules>())).Activity;
    }

    /// <summary>Takes activities in, in one request, and returns their ids with the scoring message each belongs to.</summary>
    public async Task<IReadOnlyList<(string Id, string MessageId)>> TakeInAsync(params JsonObject[] activities)
    {
        var outcomes = await services.GetRequiredService<ActivityIntake>().AcceptAsync(activities.Select(Validate).ToList(), "tests", CancellationToken.None);
        var result = new List<(string, string)>();
        foreach (var outcome in outcomes)
        {
            Assert.IsType<IntakeOutcome.Accepted>(outcome);
            Assert.True(ActivityKey.TryParse(outcome.ReceiptId, out var key));
            result.Add((outcome.ReceiptId, (await services.GetRequiredService<ActivityStore>().FindAsync(key, CancellationToken.None))!.ScoringMessageId));
        }

        return result;
    }

    public static Task<BatchScoring> ScoreAsync(ActivityScorer scorer, params (string Id, string MessageId)[] activities) =>
        scorer.ScoreAsync(activities.Select(activity => activity.Id).ToList(), activities[0].MessageId, DateTimeOffset.UtcNow, CancellationToken.None);

    public async Task<ActivityRecord> RecordAsync(string id)
    {
        Assert.True(ActivityKey.TryParse(id, out var key));
        return (await services.GetRequiredService<ActivityStore>().FindAsync(key, CancellationToken.None))!;
    }

    public async Task<List<TableEntity>> PostingsAsync(string id)
    {
        var postings = new List<TableEntity>();
        await foreach (var posting in azurite.Tables.GetTableClient("Ledger").QueryAsync<TableEntity>(entity => entity.GetString("ReceiptId") == id))
        {
            postings.Add(posting);
        }

        return postings;
    }

    public async Task<long?> DayTotalAsync(string memberId, string rowKeySuffix)
    {
        var partition = PosGreenPoints.Functions.Wallet.MemberBuckets.Default.PartitionKeyOf(memberId);
        var row = await azurite.Tables.GetTableClient("Members").GetEntityIfExistsAsync<TableEntity>(partition, memberId + "!day!" + rowKeySuffix);
        return row.HasValue ? row.Value!.GetInt64("Earned") : null;
    }

    public static DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).DateTime);

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
