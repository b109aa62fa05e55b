using System.Text.Json;

namespace PosGreenPoints.Tests.Integration.Classification;

/// <summary>
/// A rules file of its own for a test: two lists shaped like the default ones under new ids, so that
/// tests sharing one Azurite never publish over each other's lists.
/// </summary>
internal sealed class TestRulesFile : IDisposable
{
    private static readonly string[] GreenColumns =
        ["gtin", "certificate_number", "product_name", "brand", "model", "category", "certified_company", "valid_from", "valid_to", "status"];

    private static readonly string[] LowVocColumns =
        ["gtin", "product_name", "category", "standard", "voc_content", "voc_unit", "valid_from", "valid_to"];

    public TestRulesFile()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        Green = $"green-{suffix}";
        LowVoc = $"voc-{suffix}";
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"rules-{suffix}.json");
        File.WriteAllText(Path, JsonSerializer.Serialize(new
        {
            version = "integration-test",
            lists = new Dictionary<string, object>
            {
                [Green] = new { pointsPerYuan = 1.0m, requiredColumns = GreenColumns },
                [LowVoc] = new { pointsPerYuan = 0.5m, requiredColumns = LowVocColumns },
            },
            maxPointsPerReceipt = 5000,
            maxPointsPerMemberPerDay = 20000,
        }));
    }

    /// <summary>A list with the columns of certified-green.</summary>
    public string Green { get; }

    /// <summary>A list with the columns of low-voc.</summary>
    public string LowVoc { get; }

    public string Path { get; }

    public Dictionary<string, string?> Settings(TimeSpan? refreshInterval = null) => new()
    {
        ["Rules:Path"] = Path,
        ["Classification:RefreshInterval"] = (refreshInterval ?? TimeSpan.Zero).ToString(),
    };

    public void Dispose() => File.Delete(Path);
}
