using System.Globalization;
using System.Text;

namespace PosGreenPoints.Benchmarks;

/// <summary>The one table the benchmark prints: each figure beside its target.</summary>
internal sealed class Report
{
    private readonly List<(string Section, string Measure, string Figure, string Target, string Met)> _rows = [];

    public void Add(string section, string measure, string figure, string target, bool? met) =>
        _rows.Add((section, measure, figure, target, met switch { true => "yes", false => "NO", null => "-" }));

    public void NotMeasured(string section, string measure, string target, string why) =>
        _rows.Add((section, measure, "not measured (" + why + ")", target, "-"));

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("| Section | Measure | Figure | Target | Met |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var row in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Section} | {row.Measure} | {row.Figure} | {row.Target} | {row.Met} |");
        }

        return text.ToString();
    }
}
