using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Tests.Unit.Wallet;

/// <summary>The <c>wallet</c> section of the points rules: its checks, and how the rules file reads it.</summary>
public sealed class WalletRulesTests : IDisposable
{
    private const string RulesWithoutWallet = """
        {
          "version": "test-1",
          "lists": {
            "certified-green": { "pointsPerYuan": 1.0, "requiredColumns": ["gtin", "valid_from", "valid_to"] }
          },
          "maxPointsPerReceipt": 100,
          "maxPointsPerMemberPerDay": 1000
        }
        """;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"wallet-rules-{Guid.NewGuid():N}.json");

    [Fact]
    public void The_spec_defaults_are_valid()
    {
        Assert.Empty(WalletRules.Default.Validate());
        Assert.Equal(("Asia/Shanghai", 7, 24, 0.01m, 100_000L), Figures(WalletRules.Default));
    }

    public static TheoryData<string, WalletRules> BadRules => new()
    {
        { "yuanPerPoint", WalletRules.Default with { YuanPerPoint = 0.015m } },
        { "yuanPerPoint", WalletRules.Default with { YuanPerPoint = 0.001m } },
        { "yuanPerPoint", WalletRules.Default with { YuanPerPoint = 0m } },
        { "yuanPerPoint", WalletRules.Default with { YuanPerPoint = -0.01m } },
        { "pendingDays", WalletRules.Default with { PendingDays = -1 } },
        { "timeZone", WalletRules.Default with { TimeZone = "Mars/Olympus_Mons" } },
        { "timeZone", WalletRules.Default with { TimeZone = "" } },
        { "validityMonths", WalletRules.Default with { ValidityMonths = 0 } },
        { "maxPointsPerRedemption", WalletRules.Default with { MaxPointsPerRedemption = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public void Bad_values_are_refused_naming_the_setting(string setting, WalletRules rules)
    {
        var error = Assert.Single(rules.Validate());

        Assert.Contains($"wallet.{setting}", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(30)]
    public void Any_pending_period_from_zero_days_is_accepted(int pendingDays) =>
        Assert.Empty((WalletRules.Default with { PendingDays = pendingDays }).Validate());

    [Theory]
    [InlineData("0.01")]
    [InlineData("0.5")]
    [InlineData("1")]
    [InlineData("0.10")]
    public void A_value_exact_to_the_fen_is_accepted(string yuanPerPoint) =>
        Assert.Empty((WalletRules.Default with { YuanPerPoint = decimal.Parse(yuanPerPoint, System.Globalization.CultureInfo.InvariantCulture) }).Validate());

    [Fact]
    public void A_rules_file_without_a_wallet_section_has_the_spec_defaults()
    {
        File.WriteAllText(_path, RulesWithoutWallet);

        var rules = PointsRules.Load(_path);

        Assert.Equal(WalletRules.Default, rules.Wallet);
    }

    [Fact]
    public void The_wallet_section_reads_yuanPerPoint_written_as_a_string_as_the_spec_writes_it()
    {
        File.WriteAllText(_path, WithWallet("""
            "wallet": {
              "timeZone": "Asia/Shanghai",
              "pendingDays": 3,
              "validityMonths": 12,
              "yuanPerPoint": "0.02",
              "maxPointsPerRedemption": 5000
            }
            """));

        var rules = PointsRules.Load(_path);

        Assert.Equal(("Asia/Shanghai", 3, 12, 0.02m, 5000L), Figures(rules.Wallet));
    }

    [Fact]
    public void The_spec_example_wallet_section_reads_as_the_defaults()
    {
        File.WriteAllText(_path, WithWallet("""
            "wallet": {
              "timeZone": "Asia/Shanghai",
              "pendingDays": 7,
              "validityMonths": 24,
              "yuanPerPoint": "0.01",
              "maxPointsPerRedemption": 100000
            }
            """));

        Assert.Equal(WalletRules.Default, PointsRules.Load(_path).Wallet);
    }

    [Fact]
    public void The_wallet_section_also_reads_yuanPerPoint_as_a_number_and_defaults_what_it_leaves_out()
    {
        File.WriteAllText(_path, WithWallet("""
            "wallet": { "pendingDays": 0, "yuanPerPoint": 0.05 }
            """));

        var rules = PointsRules.Load(_path);

        Assert.Equal(("Asia/Shanghai", 0, 24, 0.05m, 100_000L), Figures(rules.Wallet));
    }

    [Theory]
    [InlineData("\"yuanPerPoint\": \"0.015\"", "wallet.yuanPerPoint")]
    [InlineData("\"pendingDays\": -1", "wallet.pendingDays")]
    [InlineData("\"timeZone\": \"Mars/Olympus_Mons\"", "wallet.timeZone")]
    [InlineData("\"pendingDay\": 7", "pendingDay")]
    public void A_rules_file_with_a_bad_wallet_section_is_refused_naming_it(string setting, string named)
    {
        File.WriteAllText(_path, WithWallet($$"""
            "wallet": { {{setting}} }
            """));

        var failure = Assert.Throws<InvalidDataException>(() => PointsRules.Load(_path));

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_path);

    private static string WithWallet(string wallet) =>
        RulesWithoutWallet.Replace("\"maxPointsPerMemberPerDay\": 1000", $"\"maxPointsPerMemberPerDay\": 1000,\n  {wallet}", StringComparison.Ordinal);

    private static (string, int, int, decimal, long) Figures(WalletRules rules) =>
        (rules.TimeZone, rules.PendingDays, rules.ValidityMonths, rules.YuanPerPoint, rules.MaxPointsPerRedemption);
}
