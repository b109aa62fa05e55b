using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Tests.Unit.Activities;

/// <summary>activities.md, "Points for an activity", against figures worked out from the spec by hand.</summary>
public sealed class ActivityPointsTests
{
    private static readonly PointsRules Rules = PointsRules.Load(Path.Combine(PosGreenPoints.Tests.Fixtures.RepositoryPaths.Root, "functions", "PosGreenPoints.Functions", "rules.json"));

    private static ValidatedActivity Activity(string type, decimal quantity) =>
        new("sh-metro", "S1", "G1", "A1", type, "M1", quantity, DateTimeOffset.UnixEpoch, new DateOnly(2026, 3, 15));

    [Theory]
    [InlineData("transit-trip", 1, 10)]
    [InlineData("bike-share", 3.7, 7)]
    [InlineData("bike-share", 0.4, 0)]
    [InlineData("recycling", 2.345, 11)]
    [InlineData("appliance-trade-in", 2, 1000)]
    public void Points_are_floor_of_quantity_times_points_per_unit(string type, double quantity, long expected)
    {
        var decision = ActivityScorer.Decide(Activity(type, (decimal)quantity), Rules, new DateOnly(2026, 3, 15), DateTimeOffset.UnixEpoch);

        var line = Assert.Single(decision.Lines);
        Assert.Equal(expected, line.Points);
        Assert.Equal(0m, line.QualifyingAmount);
        Assert.Null(line.Gtin14);
        var match = Assert.Single(line.Matches);
        Assert.Equal((type, Rules.Version), (match.ListId, match.ListVersion));
        Assert.Equal(Rules.Activities[type].Name, match.ProductName);
    }

    [Fact]
    public void A_type_no_longer_in_the_rules_earns_nothing_and_says_so()
    {
        var decision = ActivityScorer.Decide(Activity("gone", 1), Rules, new DateOnly(2026, 3, 15), DateTimeOffset.UnixEpoch);

        Assert.Equal(0, Assert.Single(decision.Lines).Points);
        Assert.False(decision.Lines[0].Qualifies);
        Assert.Equal([ActivityScorer.UnknownTypeNote], decision.Notes);
    }

    [Theory]
    // points, earned of the type before, earned that day before → points, notes (type cap 40, day cap 100)
    [InlineData(10, 0, 0, 10, "")]
    [InlineData(10, 35, 0, 5, "activity-type-cap-applied")]
    [InlineData(10, 40, 0, 0, "activity-type-cap-applied")]
    [InlineData(10, 0, 95, 5, "member-daily-cap-applied")]
    [InlineData(10, 35, 98, 2, "activity-type-cap-applied member-daily-cap-applied")]
    [InlineData(10, 35, 96, 4, "activity-type-cap-applied member-daily-cap-applied")]
    [InlineData(10, 35, 95, 5, "activity-type-cap-applied")]
    [InlineData(10, 0, 150, 0, "member-daily-cap-applied")]
    [InlineData(0, 40, 100, 0, "")]
    public void The_type_cap_cuts_first_then_the_member_daily_cap(long points, long earnedOfType, long earned, long expected, string notes)
    {
        var (capped, noted) = ActivityScorer.Capped(points, 40, 100, new DayEarnings(earned, earnedOfType));

        Assert.Equal(expected, capped);
        Assert.Equal(notes.Split(' ', StringSplitOptions.RemoveEmptyEntries), noted);
    }

    [Fact]
    public void The_rules_file_states_the_spec_types_and_a_broken_type_stops_the_app()
    {
        Assert.Equal(["appliance-trade-in", "bike-share", "recycling", "transit-trip"], Rules.Activities.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(7, Rules.Activities["appliance-trade-in"].PendingDays);
        Assert.Equal(0, Rules.Activities["transit-trip"].PendingDays);

        var broken = Rules with
        {
            Activities = new Dictionary<string, ActivityRule>
            {
                ["Bad Type"] = new("x", "trip", 1, 1, 1),
                ["no-cap"] = new("x", "trip", -1, 0.0001m, 0, PendingDays: 400),
            },
        };
        var errors = broken.Validate();
        Assert.Contains(errors, error => error.Contains("'Bad Type'", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.Contains("no-cap.pointsPerUnit", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.Contains("no-cap.maxQuantity", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.Contains("no-cap.maxPointsPerMemberPerDay", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.Contains("no-cap.pendingDays", StringComparison.Ordinal));
    }
}
