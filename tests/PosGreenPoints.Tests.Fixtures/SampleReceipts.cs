using System.Globalization;
using System.Text.Json.Nodes;

namespace PosGreenPoints.Tests.Fixtures;

/// <summary>
/// The sample sales of the repository (<c>samples/receipts.jsonl</c>), moved to a chain of the test's own
/// and re-dated to the test clock's day, so that tests stay apart and within MaxAgeDays.
/// 22 of the 200 samples have no lines, which the contract refuses (1–500 lines); they are left out
/// here and kept in <see cref="WithoutLines"/> for the tests that show they are refused. The 12 returns
/// are left out too: they name their original sale by its issue time, which a re-dated sale no longer has.
/// </summary>
public static class SampleReceipts
{
    private static readonly Lazy<ILookup<bool, string>> All = new(() =>
        File.ReadAllLines(Path.Combine(RepositoryPaths.SampleData, "receipts.jsonl"))
            .Where(line => line.Length > 0)
            .ToLookup(line => JsonNode.Parse(line)!["lines"]!.AsArray().Count > 0));

    private static readonly Lazy<List<string>> Lines = new(() => All.Value[true].Where(line => (string?)JsonNode.Parse(line)!["type"] == "sale").ToList());

    public static IReadOnlyList<string> WithoutLines => All.Value[false].ToList();

    /// <summary>The sample sales with lines.</summary>
    public static int Count => Lines.Value.Count;

    /// <summary>Sample sale <paramref name="index"/> for <paramref name="chainId"/>, issued <paramref name="issuedAt"/> (default: an hour ago, in +08:00).</summary>
    public static JsonObject Receipt(int index, string chainId, DateTimeOffset? issuedAt = null)
    {
        var receipt = JsonNode.Parse(Lines.Value[index])!.AsObject();
        receipt["chainId"] = chainId;
        var when = (issuedAt ?? DateTimeOffset.UtcNow.AddHours(-1)).ToOffset(TimeSpan.FromHours(8));
        receipt["issuedAt"] = when.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        return receipt;
    }

    /// <summary>A unique chain id per test, so that tests sharing one app and storage do not see each other's receipts.</summary>
    public static string NewChainId(string prefix = "test") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];
}
