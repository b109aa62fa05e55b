using System.Globalization;
using System.Text.Json.Nodes;
using CsvHelper;
using CsvHelper.Configuration;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Scoring;

/// <summary>
/// The points of a receipt computed here, from lists-and-rules.md and the sample CSV files, without the
/// app's code: what the end-to-end test holds the app to.
/// </summary>
internal sealed class IndependentPoints
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private readonly Dictionary<string, List<Row>> _green;
    private readonly Dictionary<string, List<Row>> _lowVoc;

    public IndependentPoints()
    {
        _green = Read("certified-green.csv", hasStatus: true);
        _lowVoc = Read("low-voc.csv", hasStatus: false);
    }

    public sealed record Row(DateOnly From, DateOnly To, string Status, string? Certificate);

    public sealed record ExpectedLine(int LineNumber, long Points, bool Green, bool LowVoc, string? Certificate);

    public static DateOnly BusinessDate(JsonObject receipt) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.Parse((string)receipt["issuedAt"]!, CultureInfo.InvariantCulture), Shanghai).DateTime);

    /// <summary>Line points with the receipt cap of 5000, before any member daily cap.</summary>
    public IReadOnlyList<ExpectedLine> Score(JsonObject receipt)
    {
        var date = BusinessDate(receipt);
        var remaining = 5000L;
        var result = new List<ExpectedLine>();
        foreach (var line in receipt["lines"]!.AsArray().Select(node => node!.AsObject()).OrderBy(line => (int)line["lineNumber"]!))
        {
            var gtin = ((string?)line["gtin"])?.PadLeft(14, '0');
            var green = gtin is null ? null : Match(_green, gtin, date);
            var lowVoc = gtin is null ? null : Match(_lowVoc, gtin, date);
            var rate = (green is null ? 0m : 1.0m) + (lowVoc is null ? 0m : 0.5m);
            var points = (long)Math.Floor((decimal)line["amount"]! * rate);
            var kept = Math.Min(points, remaining);
            remaining -= kept;
            result.Add(new ExpectedLine((int)line["lineNumber"]!, kept, green is not null, lowVoc is not null, green?.Certificate));
        }

        return result;
    }

    private static Row? Match(Dictionary<string, List<Row>> list, string gtin14, DateOnly date) =>
        list.TryGetValue(gtin14, out var rows) ? rows.FirstOrDefault(row => row.From <= date && date <= row.To && row.Status == "valid") : null;

    private static Dictionary<string, List<Row>> Read(string file, bool hasStatus)
    {
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.SampleData, file));
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        csv.Read();
        csv.ReadHeader();
        var rows = new Dictionary<string, List<Row>>();
        while (csv.Read())
        {
            var gtin = csv.GetField("gtin")!.PadLeft(14, '0');
            var row = new Row(
                DateOnly.ParseExact(csv.GetField("valid_from")!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                DateOnly.ParseExact(csv.GetField("valid_to")!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                hasStatus ? csv.GetField("status")! : "valid",
                hasStatus ? csv.GetField("certificate_number") : null);
            if (!rows.TryGetValue(gtin, out var list))
            {
                rows[gtin] = list = [];
            }

            list.Add(row);
        }

        return rows;
    }
}
