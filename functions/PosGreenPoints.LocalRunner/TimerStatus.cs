using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// A timer's status blob as the host's StorageScheduleMonitor writes it: blob
/// <c>timers/{hostId}/Host.Functions.{FunctionName}/status</c> in <c>azure-webjobs-hosts</c>, holding
/// <c>{"Last":…,"Next":…,"LastUpdated":…}</c> with Json.NET's ISO dates of local times. On Azure the
/// local zone is UTC, so the host writes <c>2026-01-02T18:30:00+00:00</c>, with up to seven digits of
/// fraction when there is one, and <c>0001-01-01T00:00:00+00:00</c> for "never"; the runner writes the same.
/// </summary>
public static class TimerStatus
{
    public const string Container = "azure-webjobs-hosts";

    /// <summary>The host names a function of an isolated worker after the type it generates for it: <c>Host.Functions.{name}</c>.</summary>
    public static string TimerName(string functionName) => "Host.Functions." + functionName;

    public static string BlobName(string hostId, string functionName) => $"timers/{hostId}/{TimerName(functionName)}/status";

    /// <summary>"Never", as the host records it: the default DateTime.</summary>
    public static readonly DateTime Never = DateTime.MinValue;

    public static byte[] Write(ScheduleStatus status)
    {
        // Ordered and named as Json.NET serialises the host's ScheduleStatus class.
        return Encoding.UTF8.GetBytes(
            $"{{\"Last\":\"{Format(status.Last)}\",\"Next\":\"{Format(status.Next)}\",\"LastUpdated\":\"{Format(status.LastUpdated)}\"}}");
    }

    /// <returns>The status with its times in UTC, whatever offset the writer used.</returns>
    public static ScheduleStatus Read(BinaryData content)
    {
        using var document = JsonDocument.Parse(content);
        var root = document.RootElement;
        return new ScheduleStatus
        {
            Last = Parse(root, "Last"),
            Next = Parse(root, "Next"),
            LastUpdated = Parse(root, "LastUpdated"),
        };
    }

    public static string Format(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'+00:00'", CultureInfo.InvariantCulture)
            .Replace(".+", "+", StringComparison.Ordinal);

    private static DateTime Parse(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new JsonException($"The timer status has no '{name}'.");
        }

        var text = value.GetString()!;
        // "Never" as the host writes it in a zone east of UTC would be before DateTime.MinValue in UTC.
        if (text.StartsWith("0001-01-01T00:00:00", StringComparison.Ordinal))
        {
            return Never;
        }

        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;
    }
}
