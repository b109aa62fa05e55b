using System.Text.Json.Serialization;

namespace PosGreenPoints.Contracts.Events;

/// <summary>
/// An integration event in the CloudEvents 1.0 JSON format. <see cref="Id"/> is stable for what it
/// describes (a receipt's scoring, a settlement day), so a consumer drops a redelivery by id.
/// </summary>
public sealed record CloudEvent<T>(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("data")] T Data)
{
    [JsonPropertyName("specversion")]
    public string SpecVersion => "1.0";

    [JsonPropertyName("datacontenttype")]
    public string DataContentType => "application/json";
}

/// <summary>The event types of operations.md.</summary>
public static class EventTypes
{
    public const string ReceiptScored = "cn.greenpoints.receipt.scored";
    public const string PointsReversed = "cn.greenpoints.points.reversed";
    public const string SettlementPublished = "cn.greenpoints.settlement.published";
    public const string ClearingPublished = "cn.greenpoints.clearing.published";
    public const string PointsExpired = "cn.greenpoints.points.expired";
    public const string PointsRedeemed = "cn.greenpoints.points.redeemed";
    public const string PointsRefunded = "cn.greenpoints.points.refunded";
}

/// <summary>The data of <c>points.redeemed</c> (a commit) and <c>points.refunded</c> (a refund of one).</summary>
/// <param name="Points">Points spent, or given back by the refund <paramref name="RefundId"/>.</param>
/// <param name="Value">Yuan, two decimals, at the redemption's <paramref name="YuanPerPoint"/>.</param>
/// <param name="Sources">Per issuing chain, the points taken (or given back): what clearing needs.</param>
public sealed record PointsRedeemedData(
    string ChainId,
    string RedemptionId,
    string? RefundId,
    string MemberId,
    string StoreId,
    string TerminalId,
    long Points,
    string Value,
    string YuanPerPoint,
    IReadOnlyList<PointsSourceData> Sources);

public sealed record PointsSourceData(string IssuerChainId, long Points);

/// <summary>The data of <c>points.expired</c>: the lots of one member whose free points expired at one instant.</summary>
/// <param name="Points">The points expired, as a positive number.</param>
public sealed record PointsExpiredData(string MemberId, DateTimeOffset ExpiresAt, long Points, IReadOnlyList<ExpiredLotData> Lots);

/// <param name="IssuerChainId">The chain that issued the lot: its liability falls by <paramref name="Points"/>.</param>
public sealed record ExpiredLotData(string LotId, string IssuerChainId, long Points);

/// <summary>The data of <c>receipt.scored</c> and <c>points.reversed</c>.</summary>
/// <param name="Points">Signed: negative for a reversal.</param>
public sealed record ReceiptScoredData(
    string ReceiptId,
    string ChainId,
    string StoreId,
    string Type,
    DateOnly BusinessDate,
    DateOnly PostingDate,
    string? MemberId,
    long Points,
    IReadOnlyList<string> Notes);
