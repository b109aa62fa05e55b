using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>What a reservation was asked for: fixed when it is made, the same for every repeat of it.</summary>
/// <param name="ContentHash">The hash of the request's content: a repeat with another content is a conflict.</param>
/// <param name="Reason">An operator's audit note (a redemption by member id).</param>
public sealed record RedemptionTerms(
    string ChainId,
    string RedemptionId,
    string MemberId,
    string StoreId,
    string TerminalId,
    long Points,
    string Purpose,
    decimal YuanPerPoint,
    string RulesVersion,
    DateTimeOffset ReservedAt,
    DateTimeOffset ReservedUntil,
    string ContentHash,
    string? Reason);

/// <summary>A refund as recorded with its redemption: the points it gave back to each lot.</summary>
public sealed record RefundRecord(string RefundId, long Points, DateTimeOffset RefundedAt, IReadOnlyList<LotTake> GivenBack);

/// <summary>
/// A redemption in its member's partition of the Members table (<see cref="MemberRows.Redemption"/>). It
/// is written only in transactions that write the member's wallet under its ETag, so its status and the
/// wallet's holds never disagree: the hold exists exactly while the status is <c>reserved</c>.
/// </summary>
/// <param name="Held">The lots and points the reservation holds (reserved) or held.</param>
/// <param name="Redeemed">The lots the commit took from, in order: where refunds go back to.</param>
/// <param name="Receipt">The sale that carried the discount, as the commit named it (JSON), if it did.</param>
public sealed record RedemptionRecord(
    RedemptionTerms Terms,
    string Status,
    IReadOnlyList<LotTake> Held,
    DateTimeOffset? CommittedAt,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<RedeemedLot> Redeemed,
    IReadOnlyList<RefundRecord> Refunds,
    string? Receipt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public long Refunded => Refunds.Sum(refund => refund.Points);

    /// <summary>Points given back so far to each lot the commit took from.</summary>
    public IReadOnlyDictionary<string, long> RefundedByLot =>
        Refunds.SelectMany(refund => refund.GivenBack).GroupBy(take => take.LotId, StringComparer.Ordinal).ToDictionary(group => group.Key, group => group.Sum(take => take.Points), StringComparer.Ordinal);

    public static RedemptionRecord Reserved(RedemptionTerms terms, Hold hold) =>
        new(terms, RedemptionStatuses.Reserved, hold.Takes, null, null, [], [], null);

    public static RedemptionRecord Read(TableEntity row) => new(
        JsonSerializer.Deserialize<RedemptionTerms>(row.GetString(MemberRows.Columns.Redemption)!, Json)!,
        row.GetString(MemberRows.Columns.Status)!,
        JsonSerializer.Deserialize<List<LotTake>>(LongText.Get(row, MemberRows.Columns.Holds) ?? "[]", Json)!,
        row.GetDateTimeOffset(MemberRows.Columns.CommittedAt),
        row.GetDateTimeOffset(MemberRows.Columns.ClosedAt),
        JsonSerializer.Deserialize<List<RedeemedLot>>(LongText.Get(row, MemberRows.Columns.RedeemedLots) ?? "[]", Json)!,
        JsonSerializer.Deserialize<List<RefundRecord>>(LongText.Get(row, MemberRows.Columns.Refunds) ?? "[]", Json)!,
        row.GetString(MemberRows.Columns.Receipt));

    /// <summary>The record as a whole row: an insert when <paramref name="etag"/> is null, else a replace (the wallet's ETag guards the transaction).</summary>
    public TableTransactionAction Write(string partitionKey, ETag? etag)
    {
        var row = new TableEntity(partitionKey, MemberRows.Redemption(Terms.MemberId, Terms.ChainId, Terms.RedemptionId))
        {
            [MemberRows.Columns.MemberId] = Terms.MemberId,
            [MemberRows.Columns.Redemption] = JsonSerializer.Serialize(Terms, Json),
            [MemberRows.Columns.Status] = Status,
        };
        // Table rows hold no nulls: an absent property reads back as null.
        if (CommittedAt is { } committedAt)
        {
            row[MemberRows.Columns.CommittedAt] = committedAt;
        }

        if (ClosedAt is { } closedAt)
        {
            row[MemberRows.Columns.ClosedAt] = closedAt;
        }

        if (Receipt is { } receipt)
        {
            row[MemberRows.Columns.Receipt] = receipt;
        }

        LongText.Set(row, MemberRows.Columns.Holds, JsonSerializer.Serialize(Held, Json));
        LongText.Set(row, MemberRows.Columns.RedeemedLots, JsonSerializer.Serialize(Redeemed, Json));
        LongText.Set(row, MemberRows.Columns.Refunds, JsonSerializer.Serialize(Refunds, Json));
        return etag is { } tag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, tag)
            : new TableTransactionAction(TableTransactionActionType.Add, row);
    }

    /// <summary>
    /// Marks the redemption of a hold that ran out as lapsed, in the transaction that releases the hold.
    /// A merge of two columns, so the sweep need not read the redemption: the wallet's ETag already
    /// makes the transaction fail if anything changed since the wallet was read.
    /// </summary>
    public static TableTransactionAction Lapse(string partitionKey, string memberId, Hold hold) =>
        new(TableTransactionActionType.UpdateMerge,
            new TableEntity(partitionKey, MemberRows.Redemption(memberId, hold.ChainId, hold.RedemptionId))
            {
                [MemberRows.Columns.Status] = RedemptionStatuses.Lapsed,
                [MemberRows.Columns.ClosedAt] = hold.ReservedUntil,
            },
            ETag.All);

    /// <summary>The status at <paramref name="now"/>: a reservation past its hold has lapsed, whether or not its release was written yet.</summary>
    public string StatusAt(DateTimeOffset now) =>
        Status == RedemptionStatuses.Reserved && Terms.ReservedUntil <= now ? RedemptionStatuses.Lapsed : Status;
}
