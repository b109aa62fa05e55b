using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>
/// The rows of the Members table and their columns, in one place. A member's rows share one partition
/// (a bucket by a hash of the member id), so that any posting is one entity-group transaction:
/// <list type="table">
/// <item><term><c>!w!{memberId}</c></term><description>the wallet: lots, debts, totals (<see cref="WalletState"/>)</description></item>
/// <item><term><c>{memberId}!day!{date}</c></term><description>points earned on a business date (the member daily cap)</description></item>
/// <item><term><c>{memberId}!day!{date}!{type}</c></term><description>points earned from one activity type on a business date (the type's member cap)</description></item>
/// <item><term><c>{memberId}!adjustment!{adjustmentId}</c></term><description>marker of an operator adjustment, with its content: a second insert fails, so it posts once</description></item>
/// <item><term><c>{memberId}!posting!{receiptId}</c></term><description>marker of a posted receipt, with its decision: a second insert fails, so a receipt posts once</description></item>
/// <item><term><c>{memberId}!s!{inverted ticks}!…</c></term><description>statement entries, newest first</description></item>
/// <item><term><c>{memberId}!balance</c></term><description>a balance written before wallets existed; migrated into a wallet on first touch</description></item>
/// <item><term><c>{memberId}!r!{chainId}!{redemptionId}</c></term><description>a redemption (<see cref="RedemptionRecord"/>): created with its hold, changed only with the wallet</description></item>
/// <item><term><c>{memberId}!code!{code hash}</c></term><description>a member code used by a reservation: a second insert fails, so a code holds points once</description></item>
/// <item><term><c>!p!{UTC ticks}!{memberId}!…</c></term><description>the posting log: each statement row again, by posting instant across members, written in the same transaction, so clearing reads a day of a bucket as one key range</description></item>
/// </list>
/// Wallet and log rows sort before every member's own rows ('!' is below every character of a member
/// id), so the expiry timer reads the wallets of a bucket, and clearing its postings of a day, as one key range.
/// </summary>
internal static class MemberRows
{
    public const string WalletPrefix = "!w!";
    public const string WalletRangeEnd = "!w\"";

    public static string Wallet(string memberId) => WalletPrefix + memberId;

    public static string Day(string memberId, DateOnly businessDate) => memberId + "!day!" + businessDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static string TypeDay(string memberId, DateOnly businessDate, string activityType) => Day(memberId, businessDate) + "!" + activityType;

    public static string AdjustmentMarker(string memberId, string adjustmentId) => memberId + "!adjustment!" + adjustmentId;

    public static string Marker(string memberId, string receiptId) => memberId + "!posting!" + receiptId;

    public static string StatementPrefix(string memberId) => memberId + "!s!";

    /// <summary>Newest first: the row key orders by inverted posting instant.</summary>
    public static string StatementKey(string memberId, DateTimeOffset postedAt) =>
        StatementPrefix(memberId) + (DateTimeOffset.MaxValue.UtcTicks - postedAt.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    public static string LegacyBalance(string memberId) => memberId + "!balance";

    public static string Redemption(string memberId, string chainId, string redemptionId) => memberId + "!r!" + chainId + "!" + redemptionId;

    public static string CodeUse(string memberId, string codeHash) => memberId + "!code!" + codeHash;

    public const string PostingLogPrefix = "!p!";

    /// <summary>Oldest first across the bucket's members: the row key orders by posting instant (UTC ticks).</summary>
    public static string PostingLogKey(DateTimeOffset postedAt) =>
        PostingLogPrefix + postedAt.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The table's own partition (no member bucket is named so): the layout row, <see cref="MemberLayout"/>.</summary>
    public const string LayoutPartition = "layout";

    public const string LayoutRow = "buckets";

    /// <summary>Column names of the Members table.</summary>
    public static class Columns
    {
        public const string MemberId = "MemberId";
        public const string Lots = "Lots";
        public const string Debts = "Debts";
        public const string Chains = "Chains";
        public const string Earned = "Earned";
        public const string Reversed = "Reversed";
        public const string Redeemed = "Redeemed";
        public const string Expired = "Expired";
        public const string UpdatedAt = "UpdatedAt";
        public const string NextExpiryAt = "NextExpiryAt";
        public const string Holds = "Holds";
        public const string NextLapseAt = "NextLapseAt";
        public const string WriteId = "WriteId";

        public const string Points = "Points";
        public const string BusinessDate = "BusinessDate";
        public const string LinePoints = "LinePoints";
        public const string PostedAt = "PostedAt";
        public const string Decision = "Decision";
        public const string ChainId = "ChainId";
        public const string OriginalReceiptId = "OriginalReceiptId";

        public const string Entries = "Entries";

        public const string Redemption = "Redemption";
        public const string Status = "Status";
        public const string CommittedAt = "CommittedAt";
        public const string ClosedAt = "ClosedAt";
        public const string RedeemedLots = "RedeemedLots";
        public const string Refunds = "Refunds";
        public const string Receipt = "Receipt";
        public const string Reference = "Reference";
        public const string Reason = "Reason";
        public const string Notes = "Notes";

        public const string BucketCount = "BucketCount";
    }
}

/// <summary>A wallet as stored: the state, and the ETag it was read with (null: not stored yet).</summary>
internal sealed record StoredWallet(string MemberId, WalletState State, ETag? ETag)
{
    /// <summary>The id the last write gave the row, if it gave one (<see cref="Write"/>).</summary>
    public string? WriteId { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault };

    public static StoredWallet New(string memberId) => new(memberId, WalletState.Empty, null);

    public static StoredWallet Read(TableEntity row)
    {
        var lots = JsonSerializer.Deserialize<List<LotRow>>(LongText.Get(row, MemberRows.Columns.Lots) ?? "[]", Json)!;
        var debts = JsonSerializer.Deserialize<List<DebtRow>>(row.GetString(MemberRows.Columns.Debts) ?? "[]", Json)!;
        var chains = JsonSerializer.Deserialize<List<string>>(row.GetString(MemberRows.Columns.Chains) ?? "[]", Json)!;
        var holds = JsonSerializer.Deserialize<List<Hold>>(LongText.Get(row, MemberRows.Columns.Holds) ?? "[]", Json)!;
        var state = new WalletState(
            lots.Select(lot => lot.ToLot()).ToList(),
            debts.Select(debt => debt.ToDebt()).ToList(),
            row.GetInt64(MemberRows.Columns.Earned) ?? 0,
            row.GetInt64(MemberRows.Columns.Reversed) ?? 0,
            row.GetInt64(MemberRows.Columns.Redeemed) ?? 0,
            row.GetInt64(MemberRows.Columns.Expired) ?? 0,
            chains,
            row.GetDateTimeOffset(MemberRows.Columns.UpdatedAt))
        { Holds = holds };
        return new StoredWallet(row.GetString(MemberRows.Columns.MemberId)!, state, row.ETag) { WriteId = row.GetString(MemberRows.Columns.WriteId) };
    }

    /// <summary>The write of <paramref name="next"/>: an insert for a new wallet, else a whole replace under the ETag read (long text must not keep stale parts).</summary>
    /// <param name="writeId">
    /// Stored with the row, so that a writer whose answer was lost can tell its own write from another's:
    /// the storage client sends a transaction again when no answer came, and that repeat fails on the
    /// ETag the first one changed. Every later write replaces the whole row, so the id is gone with it.
    /// </param>
    public TableTransactionAction Write(string partitionKey, WalletState next, string? writeId = null)
    {
        var row = new TableEntity(partitionKey, MemberRows.Wallet(MemberId))
        {
            [MemberRows.Columns.MemberId] = MemberId,
            [MemberRows.Columns.Debts] = JsonSerializer.Serialize(next.Debts.Select(DebtRow.Of), Json),
            [MemberRows.Columns.Chains] = JsonSerializer.Serialize(next.Chains, Json),
            [MemberRows.Columns.Earned] = next.Earned,
            [MemberRows.Columns.Reversed] = next.Reversed,
            [MemberRows.Columns.Redeemed] = next.Redeemed,
            [MemberRows.Columns.Expired] = next.Expired,
            [MemberRows.Columns.UpdatedAt] = next.UpdatedAt,
        };
        if (next.NextExpiryAt is { } nextExpiryAt)
        {
            // The expiry timer's filter: a wallet with nothing left to expire has no value here.
            row[MemberRows.Columns.NextExpiryAt] = nextExpiryAt;
        }

        if (next.NextLapseAt is { } nextLapseAt)
        {
            // The holds sweep's filter, likewise.
            row[MemberRows.Columns.NextLapseAt] = nextLapseAt;
        }

        if (writeId is not null)
        {
            row[MemberRows.Columns.WriteId] = writeId;
        }

        LongText.Set(row, MemberRows.Columns.Lots, JsonSerializer.Serialize(next.Lots.Select(LotRow.Of), Json));
        if (next.Holds.Count > 0)
        {
            LongText.Set(row, MemberRows.Columns.Holds, JsonSerializer.Serialize(next.Holds, Json));
        }

        return ETag is { } etag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, etag)
            : new TableTransactionAction(TableTransactionActionType.Add, row);
    }

    public static int Size(WalletState state) => 200 + (state.Lots.Count * 180) + (state.Debts.Count * 120) + (state.Holds.Sum(hold => 150 + (hold.Takes.Count * 80)));

    /// <summary>A lot in the wallet row: short names and Unix milliseconds, as a busy member holds hundreds.</summary>
    private sealed record LotRow(string I, string C, long P, long R, long S, long E, long A, long X)
    {
        public static LotRow Of(Lot lot) => new(lot.LotId, lot.IssuerChainId, lot.Points, lot.Remaining, lot.Reserved,
            lot.EarnedAt.ToUnixTimeMilliseconds(), lot.AvailableAt.ToUnixTimeMilliseconds(), lot.ExpiresAt.ToUnixTimeMilliseconds());

        public Lot ToLot() => new(I, C, P, R, S, DateTimeOffset.FromUnixTimeMilliseconds(E), DateTimeOffset.FromUnixTimeMilliseconds(A), DateTimeOffset.FromUnixTimeMilliseconds(X));
    }

    private sealed record DebtRow(string R, string C, long T, long P)
    {
        public static DebtRow Of(Debt debt) => new(debt.Reference, debt.ChainId, debt.IncurredAt.ToUnixTimeMilliseconds(), debt.Points);

        public Debt ToDebt() => new(R, C, DateTimeOffset.FromUnixTimeMilliseconds(T), P);
    }
}

/// <summary>
/// Statement entries as stored: one row per posting (award with its debt repayments, reversal), or per
/// expiry instant, and its twin in the posting log (<see cref="MemberRows.PostingLogKey"/>). Both are
/// written in the posting's transaction, so the log holds every posting exactly once, as the statement does.
/// </summary>
internal static class StatementRows
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// The rows of one posting's entries (an award and the debt it repaid; a reversal; the expiries a run
    /// made durable): entries of one instant share a row, so the expiry of all of a member's lots at a
    /// month's end is one write however many lots it takes.
    /// </summary>
    /// <param name="yuanPerPoint">The rules' value of a point now, recorded with entries that do not carry their own.</param>
    public static IEnumerable<TableEntity> Rows(string partitionKey, string memberId, IReadOnlyList<StatementEntry> entries, decimal yuanPerPoint) =>
        entries.GroupBy(entry => entry.PostedAt)
            .SelectMany(group =>
            {
                var first = group.First();
                var text = JsonSerializer.Serialize(group.Select(entry => entry.YuanPerPoint is null ? entry with { YuanPerPoint = yuanPerPoint } : entry).ToList(), Json);
                return new[] { RowKey(memberId, first), LogRowKey(memberId, first) }.Select(rowKey =>
                {
                    var row = new TableEntity(partitionKey, rowKey)
                    {
                        [MemberRows.Columns.MemberId] = memberId,
                        [MemberRows.Columns.PostedAt] = first.PostedAt,
                    };
                    LongText.Set(row, MemberRows.Columns.Entries, text);
                    return row;
                });
            });

    /// <summary>The row key of the row holding <paramref name="first"/>: unique per posting, as its reference is.</summary>
    public static string RowKey(string memberId, StatementEntry first) =>
        MemberRows.StatementKey(memberId, first.PostedAt) + "!" + first.Kind + "!" + first.Reference;

    /// <summary>The key of the posting log's twin of that row.</summary>
    public static string LogRowKey(string memberId, StatementEntry first) =>
        MemberRows.PostingLogKey(first.PostedAt) + "!" + memberId + "!" + first.Kind + "!" + first.Reference;

    public static IReadOnlyList<StatementEntry> Entries(TableEntity row) =>
        JsonSerializer.Deserialize<List<StatementEntry>>(LongText.Get(row, MemberRows.Columns.Entries)!, Json)!;
}
