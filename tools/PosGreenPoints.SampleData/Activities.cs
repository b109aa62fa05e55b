using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PosGreenPoints.SampleData;

/// <summary>One sample activity, as a gate or device posts it (activities.md).</summary>
internal sealed record SampleActivity(string StoreId, string TerminalId, string ActivityId, string Type, string MemberId, decimal Quantity, DateTimeOffset OccurredAt);

/// <summary>
/// A day of the service chain <c>sh-metro</c> on 2026-03-15 (+08:00), the day of the sample receipts: 120
/// activities of 12 members — metro trips through the gates of four stations, bike-share rides, recycling drops
/// and two appliance trade-ins. Members M-SVC-01 and M-SVC-02 ride the metro six times, so the trip cap (40
/// points a day) cuts their fifth trip to 0; M-SVC-03 cycles 60 km in all, past the bike-share cap of 30.
/// Every activity is valid; the same seed gives the same bytes.
/// </summary>
internal static class Activities
{
    public const string ChainId = "sh-metro";
    public static readonly DateTimeOffset FirstOccurredAt = new(2026, 3, 15, 7, 0, 0, TimeSpan.FromHours(8));

    private static readonly string[] Stations = ["L2-NANJINGDONGLU", "L2-LUJIAZUI", "L1-RENMINGUANGCHANG", "L10-HONGQIAO"];

    public static IReadOnlyList<SampleActivity> Build(SampleRandom random)
    {
        var members = Enumerable.Range(1, 12).Select(number => $"M-SVC-{number:D2}").ToList();
        var activities = new List<SampleActivity>();
        var at = FirstOccurredAt;
        void Add(string type, string memberId, decimal quantity, string? storeId = null, string? terminalId = null)
        {
            at = at.AddMinutes(random.Next(3, 8));
            var station = storeId ?? random.Pick(Stations);
            activities.Add(new SampleActivity(station, terminalId ?? $"GATE-{random.Next(1, 13):D2}", $"{TypeCode(type)}20260315-{activities.Count + 1:D6}", type, memberId, quantity, at));
        }

        // The two commuters whose fifth and sixth trips meet the trip cap, spread through the day.
        for (var trip = 0; trip < 6; trip++)
        {
            Add("transit-trip", members[0], 1);
            Add("transit-trip", members[1], 1);
        }

        // The long-distance cyclist: 60 km in 5 rides, twice the daily cap's worth.
        foreach (var km in new[] { 12.5m, 14.0m, 9.8m, 11.2m, 12.5m })
        {
            Add("bike-share", members[2], km, "BIKE-SH", $"BIKE-{random.Next(10000, 99999)}");
        }

        Add("appliance-trade-in", members[3], 1, "RECYCLE-XUHUI", "COUNTER-1");
        Add("appliance-trade-in", members[4], 2, "RECYCLE-XUHUI", "COUNTER-1");
        while (activities.Count < 120)
        {
            var memberId = random.Pick(members);
            switch (random.Next(10))
            {
                case < 6:
                    Add("transit-trip", memberId, 1);
                    break;
                case < 8:
                    Add("bike-share", memberId, random.Next(5, 80) / 10m, "BIKE-SH", $"BIKE-{random.Next(10000, 99999)}");
                    break;
                default:
                    Add("recycling", memberId, random.Next(200, 12000) / 1000m, "RECYCLE-XUHUI", $"KIOSK-{random.Next(1, 4):D2}");
                    break;
            }
        }

        return activities;
    }

    /// <summary>One activity per line, LF after each, properties in the order of activities.md's example.</summary>
    public static byte[] JsonLines(IEnumerable<SampleActivity> activities)
    {
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using var output = new MemoryStream();
        foreach (var activity in activities)
        {
            using (var json = new Utf8JsonWriter(output, options))
            {
                json.WriteStartObject();
                json.WriteString("chainId", ChainId);
                json.WriteString("storeId", activity.StoreId);
                json.WriteString("terminalId", activity.TerminalId);
                json.WriteString("activityId", activity.ActivityId);
                json.WriteString("type", activity.Type);
                json.WriteString("memberId", activity.MemberId);
                json.WriteNumber("quantity", activity.Quantity);
                json.WriteString("occurredAt", activity.OccurredAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            output.WriteByte((byte)'\n');
        }

        return output.ToArray();
    }

    private static string TypeCode(string type) => type switch
    {
        "transit-trip" => "T",
        "bike-share" => "B",
        "recycling" => "R",
        _ => "X",
    };
}
