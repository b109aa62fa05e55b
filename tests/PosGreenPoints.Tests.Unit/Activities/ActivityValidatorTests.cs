using System.Text.Json;
using System.Text.Json.Nodes;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Tests.Unit.Activities;

/// <summary>activities.md, "POST /api/v1/activities": each rule, refused at its path.</summary>
public sealed class ActivityValidatorTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly DateTimeOffset Now = new(2026, 3, 15, 12, 0, 0, TimeSpan.FromHours(8));
    private static readonly PointsRules Rules = PointsRules.Load(Path.Combine(PosGreenPoints.Tests.Fixtures.RepositoryPaths.Root, "functions", "PosGreenPoints.Functions", "rules.json"));

    /// <summary>The example of activities.md.</summary>
    public static JsonObject Trip() => new()
    {
        ["chainId"] = "sh-metro", ["storeId"] = "L2-NANJINGDONGLU", ["terminalId"] = "GATE-07",
        ["activityId"] = "T20260315-000123", ["type"] = "transit-trip", ["memberId"] = "GM7Q2K9X",
        ["quantity"] = 1, ["occurredAt"] = "2026-03-15T08:12:00+08:00",
    };

    private static ActivityValidation Validate(JsonObject activity, Func<string, TimeZoneInfo?>? zones = null)
    {
        using var document = JsonDocument.Parse(activity.ToJsonString());
        return ActivityValidator.Validate(document.RootElement, new ReceiptValidationContext(Now, 30, zones ?? (_ => Shanghai)), Rules);
    }

    private static IDictionary<string, string[]> Errors(JsonObject activity) => Assert.IsType<ActivityValidation.Invalid>(Validate(activity)).Errors;

    private static JsonObject With(string field, string? json)
    {
        var activity = Trip();
        if (json is null)
        {
            activity.Remove(field);
        }
        else
        {
            activity[field] = JsonNode.Parse(json);
        }

        return activity;
    }

    [Fact]
    public void The_activities_md_example_is_valid_and_typed()
    {
        var activity = Assert.IsType<ActivityValidation.Valid>(Validate(Trip())).Activity;

        Assert.Equal(new ValidatedActivity("sh-metro", "L2-NANJINGDONGLU", "GATE-07", "T20260315-000123", "transit-trip", "GM7Q2K9X", 1m,
            new DateTimeOffset(2026, 3, 15, 8, 12, 0, TimeSpan.FromHours(8)), new DateOnly(2026, 3, 15)), activity);
        Assert.Equal("act~sh-metro~L2-NANJINGDONGLU~20260315~GATE-07~T20260315-000123", activity.Key.Id);
        Assert.True(ActivityKey.TryParse(activity.Key.Id, out var parsed));
        Assert.Equal(activity.Key, parsed);
        Assert.False(ReceiptKey.TryParse(activity.Key.Id, out _));
    }

    public static TheoryData<string, string?> Violations => new()
    {
        { "chainId", null }, { "chainId", "\"\"" }, { "chainId", "\"sh metro\"" }, { "chainId", "42" }, { "chainId", "\"a~b\"" },
        { "storeId", null }, { "storeId", "\"站\"" }, { "storeId", $"\"{new string('s', 65)}\"" },
        { "terminalId", null }, { "terminalId", "null" }, { "terminalId", "[]" },
        { "activityId", null }, { "activityId", "\"T 1\"" }, { "activityId", "{}" },
        { "type", null }, { "type", "\"taxi-ride\"" }, { "type", "\"Transit-Trip\"" }, { "type", "7" },
        { "memberId", null }, { "memberId", "null" }, { "memberId", "\"GM.7\"" }, { "memberId", "\"\"" }, { "memberId", "12" },
        { "quantity", null }, { "quantity", "0" }, { "quantity", "-1" }, { "quantity", "\"1\"" }, { "quantity", "0.0001" },
        { "quantity", "2" }, { "quantity", "1e400" },
        { "occurredAt", null }, { "occurredAt", "\"2026-03-15T08:12:00\"" }, { "occurredAt", "\"2026-03-15 08:12:00+08:00\"" },
        { "occurredAt", "\"2026-02-30T08:12:00+08:00\"" }, { "occurredAt", "\"2026-03-15T12:11:00+08:00\"" },
        { "occurredAt", "\"2026-02-12T23:59:59+08:00\"" }, { "occurredAt", "1773533520" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void Each_rule_is_refused_at_its_path_and_only_there(string field, string? json)
    {
        var errors = Errors(With(field, json));

        Assert.Equal([field], errors.Keys);
        Assert.NotEmpty(errors[field]);
    }

    [Fact]
    public void A_quantity_within_a_types_maximum_and_three_decimals_is_valid()
    {
        var ride = Trip();
        ride["type"] = "bike-share";
        ride["quantity"] = 49.999m;
        Assert.Equal(49.999m, Assert.IsType<ActivityValidation.Valid>(Validate(ride)).Activity.Quantity);

        ride["quantity"] = 50.001m;
        Assert.Equal(["quantity"], Errors(ride).Keys);
    }

    [Fact]
    public void The_business_date_is_occurredAt_in_the_chains_zone_and_ten_minutes_ahead_is_the_limit()
    {
        var late = With("occurredAt", "\"2026-03-14T16:30:00Z\"");
        Assert.Equal(new DateOnly(2026, 3, 15), Assert.IsType<ActivityValidation.Valid>(Validate(late)).Activity.BusinessDate);
        Assert.Equal(new DateOnly(2026, 3, 14), Assert.IsType<ActivityValidation.Valid>(Validate(late, _ => TimeZoneInfo.Utc)).Activity.BusinessDate);

        Assert.IsType<ActivityValidation.Valid>(Validate(With("occurredAt", "\"2026-03-15T12:10:00+08:00\"")));
        Assert.IsType<ActivityValidation.Valid>(Validate(With("occurredAt", "\"2026-02-13T00:00:00+08:00\"")));
    }

    [Fact]
    public void An_unregistered_chain_is_told_apart_from_a_bad_field()
    {
        Assert.Equal("sh-metro", Assert.IsType<ActivityValidation.ChainNotRegistered>(Validate(Trip(), _ => null)).ChainId);
        Assert.IsType<ActivityValidation.Invalid>(Validate(With("quantity", "0"), _ => null));
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once_and_a_non_object_at_the_root()
    {
        var activity = Trip();
        activity["quantity"] = 0;
        activity["type"] = "nothing";
        activity.Remove("memberId");
        Assert.Equal(["memberId", "quantity", "type"], Errors(activity).Keys.Order(StringComparer.Ordinal));

        using var array = JsonDocument.Parse("[]");
        Assert.Equal(["$"], Assert.IsType<ActivityValidation.Invalid>(ActivityValidator.Validate(array.RootElement, new ReceiptValidationContext(Now, 30, _ => Shanghai), Rules)).Errors.Keys);
    }

    [Fact]
    public void The_content_hash_ignores_how_a_value_is_written_but_not_what_it_is()
    {
        var one = Assert.IsType<ActivityValidation.Valid>(Validate(Trip())).Activity;
        var sameInstantOtherOffset = Assert.IsType<ActivityValidation.Valid>(Validate(With("occurredAt", "\"2026-03-15T00:12:00Z\""))).Activity;
        var quantityWithZeros = Assert.IsType<ActivityValidation.Valid>(Validate(With("quantity", "1.000"))).Activity;
        var otherMember = Assert.IsType<ActivityValidation.Valid>(Validate(With("memberId", "\"OTHER\""))).Activity;

        Assert.Equal(one.ContentHash, sameInstantOtherOffset.ContentHash);
        Assert.Equal(one.ContentHash, quantityWithZeros.ContentHash);
        Assert.NotEqual(one.ContentHash, otherMember.ContentHash);
    }
}
