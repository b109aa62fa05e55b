using System.Text.Json;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Unit.Activities;

/// <summary>samples/activities.jsonl: every activity valid on its day, and the caps it was written to show do bite.</summary>
public sealed class SampleActivitiesTests
{
    [Fact]
    public void Every_sample_activity_is_valid_and_the_commuters_and_the_cyclist_meet_their_type_caps()
    {
        var rules = PointsRules.Load(Path.Combine(RepositoryPaths.Root, "functions", "PosGreenPoints.Functions", "rules.json"));
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var context = new ReceiptValidationContext(new DateTimeOffset(2026, 3, 15, 23, 0, 0, TimeSpan.FromHours(8)), 30, _ => shanghai);
        var activities = File.ReadLines(Path.Combine(RepositoryPaths.SampleData, "activities.jsonl")).Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return Assert.IsType<ActivityValidation.Valid>(ActivityValidator.Validate(document.RootElement, context, rules)).Activity;
        }).ToList();

        Assert.Equal(120, activities.Count);
        Assert.Equal(activities.Count, activities.Select(activity => activity.Key.Id).Distinct().Count());
        Assert.All(activities, activity => Assert.Equal(new DateOnly(2026, 3, 15), activity.BusinessDate));

        // The caps in posting order, by the spec: type cap per member and day, then the member daily cap.
        var byMemberType = new Dictionary<(string, string), long>();
        var byMember = new Dictionary<string, long>();
        var cut = new HashSet<string>();
        foreach (var activity in activities)
        {
            var rule = rules.Activities[activity.Type];
            var raw = rule.PointsFor(activity.Quantity);
            var (points, notes) = ActivityScorer.Capped(raw, rule.MaxPointsPerMemberPerDay, rules.MaxPointsPerMemberPerDay,
                new DayEarnings(byMember.GetValueOrDefault(activity.MemberId), byMemberType.GetValueOrDefault((activity.MemberId, activity.Type))));
            byMember[activity.MemberId] = byMember.GetValueOrDefault(activity.MemberId) + points;
            byMemberType[(activity.MemberId, activity.Type)] = byMemberType.GetValueOrDefault((activity.MemberId, activity.Type)) + points;
            if (notes.Contains(ActivityScorer.TypeCapNote))
            {
                cut.Add(activity.MemberId + " " + activity.Type);
            }
        }

        Assert.Contains("M-SVC-01 transit-trip", cut);
        Assert.Contains("M-SVC-02 transit-trip", cut);
        Assert.Contains("M-SVC-03 bike-share", cut);
        Assert.Equal(40, byMemberType[("M-SVC-01", "transit-trip")]);
        Assert.Equal(30, byMemberType[("M-SVC-03", "bike-share")]);
        Assert.Equal(2, activities.Count(activity => activity.Type == "appliance-trade-in"));
        Assert.Contains(activities, activity => activity.Type == "recycling");
    }
}
