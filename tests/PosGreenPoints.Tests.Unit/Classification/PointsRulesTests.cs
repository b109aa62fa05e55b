using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Tests.Unit.Classification;

public sealed class PointsRulesTests : IDisposable
{
    private const string ValidRules = """
        {
          "version": "test-1",
          "lists": {
            "energy-grade-1": { "pointsPerYuan": 0.25, "requiredColumns": ["gtin", "valid_from", "valid_to", "grade"] }
          },
          "maxPointsPerReceipt": 100,
          "maxPointsPerMemberPerDay": 1000
        }
        """;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"rules-{Guid.NewGuid():N}.json");

    [Fact]
    public void The_shipped_rules_are_the_spec_defaults()
    {
        var rules = PointsRules.Load(new PointsRulesOptions().ResolvedPath);

        Assert.Equal("default-2026", rules.Version);
        Assert.Equal(["certified-green", "low-voc"], rules.Lists.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1.0m, rules.Lists["certified-green"].PointsPerYuan);
        Assert.Equal(0.5m, rules.Lists["low-voc"].PointsPerYuan);
        Assert.Equal(
            ["gtin", "certificate_number", "product_name", "brand", "model", "category", "certified_company", "valid_from", "valid_to", "status"],
            rules.Lists["certified-green"].RequiredColumns);
        Assert.Equal(
            ["gtin", "product_name", "category", "standard", "voc_content", "voc_unit", "valid_from", "valid_to"],
            rules.Lists["low-voc"].RequiredColumns);
        Assert.Equal((5000, 20000), (rules.MaxPointsPerReceipt, rules.MaxPointsPerMemberPerDay));
    }

    [Fact]
    public void A_new_list_is_a_rules_entry()
    {
        File.WriteAllText(_path, ValidRules);

        var rules = PointsRules.Load(_path);

        Assert.Equal(0.25m, Assert.Single(rules.Lists).Value.PointsPerYuan);
        Assert.False(rules.Lists.ContainsKey("Energy-Grade-1"));
    }

    [Theory]
    [InlineData("\"version\": \"test-1\"", "\"version\": \" \"", "version")]
    [InlineData("\"energy-grade-1\": {", "\"Energy_Grade\": {", "list id")]
    [InlineData("\"energy-grade-1\": {", "\"a123456789a123456789a123456789a123456789a123456789a123456789abcde\": {", "list id")]
    [InlineData("\"pointsPerYuan\": 0.25", "\"pointsPerYuan\": -0.25", "pointsPerYuan")]
    [InlineData("\"maxPointsPerReceipt\": 100", "\"maxPointsPerReceipt\": 0", "maxPointsPerReceipt")]
    [InlineData("\"maxPointsPerMemberPerDay\": 1000", "\"maxPointsPerMemberPerDay\": -1", "maxPointsPerMemberPerDay")]
    [InlineData("[\"gtin\", \"valid_from\",", "[\"valid_from\",", "'gtin'")]
    [InlineData("\"valid_to\", \"grade\"]", "\"grade\"]", "'valid_to'")]
    [InlineData("\"grade\"]", "\"grade\", \"grade\"]", "more than once")]
    [InlineData("\"pointsPerYuan\"", "\"pointsPerYan\"", "pointsPerYan")]
    [InlineData("\"maxPointsPerReceipt\": 100,", "", "maxPointsPerReceipt")]
    [InlineData("\"requiredColumns\": [\"gtin\", \"valid_from\", \"valid_to\", \"grade\"]", "\"requiredColumns\": null", "requiredColumns")]
    public void Rules_that_break_a_rule_are_refused_naming_it(string replace, string with, string named)
    {
        File.WriteAllText(_path, ValidRules.Replace(replace, with, StringComparison.Ordinal));

        var failure = Assert.Throws<InvalidDataException>(() => PointsRules.Load(_path));

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_without_lists_are_refused()
    {
        File.WriteAllText(_path, """{ "version": "v", "lists": {}, "maxPointsPerReceipt": 1, "maxPointsPerMemberPerDay": 1 }""");

        Assert.Contains("at least one list", Assert.Throws<InvalidDataException>(() => PointsRules.Load(_path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_app_refuses_to_start_with_a_missing_or_invalid_rules_file()
    {
        var validation = new PointsRulesOptionsValidation();
        File.WriteAllText(_path, "{ \"version\": ");

        Assert.True(validation.Validate(null, new PointsRulesOptions()).Succeeded);
        Assert.True(validation.Validate(null, new PointsRulesOptions { Path = Path.Combine(Path.GetTempPath(), "no-such-rules.json") }).Failed);
        Assert.True(validation.Validate(null, new PointsRulesOptions { Path = _path }).Failed);
    }

    public void Dispose() => File.Delete(_path);
}
