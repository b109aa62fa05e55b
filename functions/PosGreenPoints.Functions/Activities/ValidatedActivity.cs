using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PosGreenPoints.Functions.Activities;

/// <summary>An activity that passed every rule of activities.md, with its business date in the chain's zone.</summary>
public sealed record ValidatedActivity(
    string ChainId,
    string StoreId,
    string TerminalId,
    string ActivityId,
    string Type,
    string MemberId,
    decimal Quantity,
    DateTimeOffset OccurredAt,
    DateOnly BusinessDate)
{
    public ActivityKey Key => new(ChainId, StoreId, BusinessDate, TerminalId, ActivityId);

    /// <summary>
    /// SHA-256 of the content that makes the activity what it is: a repost with the same hash is a
    /// duplicate, with another a conflict. The quantity is hashed as a value (1 and 1.0 are the same) and
    /// the instant in UTC (the same moment written with another offset is the same activity).
    /// </summary>
    public string ContentHash
    {
        get
        {
            var canonical = string.Join('\n',
                ChainId, StoreId, TerminalId, ActivityId, Type, MemberId,
                (Quantity / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture),
                OccurredAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    public static ValidatedActivity FromJson(string json) => JsonSerializer.Deserialize<ValidatedActivity>(json, JsonSerializerOptions.Web)!;
}
