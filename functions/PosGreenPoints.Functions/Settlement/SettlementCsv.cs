using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Settlement;

/// <summary>What writing a settlement file came to: the manifest's figures, file included.</summary>
public sealed record SettlementTotals(
    int RowCount,
    int ReceiptCount,
    decimal QualifyingAmount,
    long PointsAwarded,
    long PointsReversed,
    IReadOnlyList<StoreSettlement> Stores,
    IReadOnlyList<string> RulesVersions,
    long Bytes,
    string Sha256)
{
    public SettlementManifest ToManifest(string chainId, DateOnly postingDate, string timeZone, DateTimeOffset generatedAt) =>
        new(
            SchemaVersion: 1,
            chainId,
            postingDate,
            timeZone,
            RowCount,
            ReceiptCount,
            SettlementCsv.Money(QualifyingAmount),
            PointsAwarded,
            PointsReversed,
            PointsAwarded - PointsReversed,
            Stores,
            new SettlementFile(SettlementCsv.FileName(chainId, postingDate), Bytes, Sha256),
            RulesVersions,
            generatedAt);
}

/// <summary>
/// The settlement CSV (settlement.md, "Files"), written row by row from postings that arrive in file
/// order, with the manifest's totals gathered on the way: memory stays flat however large the day is.
/// </summary>
public static class SettlementCsv
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "posting_date", "business_date", "store_id", "terminal_id", "receipt_number", "receipt_id", "receipt_type", "member_ref",
        "line_number", "gtin", "product_name", "matched_lists", "certificate_number", "list_versions", "qualifying_amount", "points",
    ];

    private static readonly UTF8Encoding Utf8WithoutBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\r\n",
        // CsvHelper's own InjectionOptions.Escape would also escape the signed numbers of return rows
        // ("-12.50" → "'-12.50"), which must stay numbers that sum; text cells are neutralised below instead.
        InjectionOptions = InjectionOptions.None,
        // RFC 4180: quote a field that holds a quote, a comma, CR or LF. CsvHelper's default looks only for
        // the configured NewLine ("\r\n") once one is set, and would leave a lone LF unquoted. Leading and
        // trailing blanks are quoted too, as spreadsheet imports trim them otherwise.
        ShouldQuote = args => args.Field is { Length: > 0 } field
            && (field.AsSpan().IndexOfAny("\",\r\n") >= 0 || char.IsWhiteSpace(field[0]) || char.IsWhiteSpace(field[^1])),
    };

    public static string FileName(string chainId, DateOnly postingDate) =>
        $"{chainId}-{postingDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}.csv";

    public static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// A text cell as written: one that a spreadsheet would take for a formula (it starts with
    /// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or CR) gets a leading <c>'</c>, which spreadsheets show
    /// as text and do not evaluate. Not applied to <c>qualifying_amount</c> and <c>points</c>.
    /// </summary>
    public static string Neutralise(string? text) =>
        text is { Length: > 0 } && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text ?? "";

    /// <summary>
    /// Writes the file (UTF-8 BOM, header, one row per posting) to <paramref name="destination"/>, which
    /// it does not close. <paramref name="postings"/> must come in file order, as
    /// <see cref="Ledger.ReadDayAsync"/> gives them.
    /// </summary>
    public static async Task<SettlementTotals> WriteAsync(
        string chainId,
        IAsyncEnumerable<LedgerPosting> postings,
        Stream destination,
        MemberPseudonyms pseudonyms,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(postings);
        ArgumentNullException.ThrowIfNull(pseudonyms);

        var hashing = new HashingWriteStream(destination);
        await using (hashing.ConfigureAwait(false))
        {
            await hashing.WriteAsync(Encoding.UTF8.Preamble.ToArray(), cancellationToken);
            var totals = new Totals();
            var text = new StreamWriter(hashing, Utf8WithoutBom, bufferSize: 64 * 1024, leaveOpen: true);
            await using (text.ConfigureAwait(false))
            {
                var csv = new CsvWriter(text, Configuration, leaveOpen: true);
                await using (csv.ConfigureAwait(false))
                {
                    foreach (var column in Columns)
                    {
                        csv.WriteField(column);
                    }

                    await csv.NextRecordAsync();
                    var member = new MemberRefCache(chainId, pseudonyms);
                    await foreach (var posting in postings.WithCancellation(cancellationToken))
                    {
                        var amount = decimal.Parse(posting.QualifyingAmount, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                        csv.WriteField(posting.PostingDate);
                        csv.WriteField(posting.BusinessDate);
                        csv.WriteField(Neutralise(posting.StoreId));
                        csv.WriteField(Neutralise(posting.TerminalId));
                        csv.WriteField(Neutralise(posting.ReceiptNumber));
                        csv.WriteField(Neutralise(posting.ReceiptId));
                        csv.WriteField(Neutralise(posting.ReceiptType));
                        csv.WriteField(member.Of(posting.MemberId));
                        csv.WriteField(posting.LineNumber.ToString(CultureInfo.InvariantCulture));
                        csv.WriteField(Neutralise(posting.Gtin));
                        csv.WriteField(Neutralise(posting.ProductName));
                        csv.WriteField(Neutralise(posting.MatchedLists));
                        csv.WriteField(Neutralise(posting.CertificateNumber));
                        csv.WriteField(Neutralise(posting.ListVersions));
                        csv.WriteField(Money(amount));
                        csv.WriteField(posting.Points.ToString(CultureInfo.InvariantCulture));
                        await csv.NextRecordAsync();
                        totals.Add(posting, amount);
                    }

                    await csv.FlushAsync();
                }

                await text.FlushAsync(cancellationToken);
            }

            await hashing.FlushAsync(cancellationToken);
            return totals.Finish(hashing.BytesWritten, hashing.GetSha256());
        }
    }

    /// <summary>The rows of one receipt share its member: one HMAC per receipt, not per row.</summary>
    private sealed class MemberRefCache(string chainId, MemberPseudonyms pseudonyms)
    {
        private string? _memberId;
        private string _memberRef = "";

        public string Of(string? memberId)
        {
            if (string.IsNullOrEmpty(memberId))
            {
                return "";
            }

            if (!string.Equals(memberId, _memberId, StringComparison.Ordinal))
            {
                _memberRef = pseudonyms.Of(chainId, memberId);
                _memberId = memberId;
            }

            return _memberRef;
        }
    }

    /// <summary>
    /// The running totals. Rows come sorted by store, terminal, receipt number, line number, receipt id,
    /// so the rows of one store are adjacent (per-store totals close when the store changes), and the
    /// rows of one (store, terminal, receipt number) are adjacent; within that group receipts of the same
    /// number on different business dates (different ids) interleave by line, so distinct receipts are
    /// counted with a set of ids per group, which holds a handful at most and is emptied at every change.
    /// </summary>
    private sealed class Totals
    {
        private readonly List<StoreSettlement> _stores = [];
        private readonly SortedSet<string> _rulesVersions = new(StringComparer.Ordinal);
        private readonly HashSet<string> _receiptsOfNumber = new(StringComparer.Ordinal);
        private int _rowCount;
        private int _receiptCount;
        private decimal _amount;
        private long _awarded;
        private long _reversed;

        private (string Store, string Terminal, string Number)? _number;
        private string? _store;
        private int _storeRows;
        private decimal _storeAmount;
        private long _storePoints;

        public void Add(LedgerPosting posting, decimal amount)
        {
            if (!string.Equals(posting.StoreId, _store, StringComparison.Ordinal))
            {
                if (_store is not null && string.CompareOrdinal(posting.StoreId, _store) < 0)
                {
                    throw new InvalidOperationException($"Postings are out of file order: store {posting.StoreId} after {_store}.");
                }

                CloseStore();
                _store = posting.StoreId;
            }

            var number = (posting.StoreId, posting.TerminalId, posting.ReceiptNumber);
            if (_number != number)
            {
                _receiptCount += _receiptsOfNumber.Count;
                _receiptsOfNumber.Clear();
                _number = number;
            }

            _receiptsOfNumber.Add(posting.ReceiptId);
            _rowCount++;
            _amount += amount;
            if (posting.Points > 0)
            {
                _awarded += posting.Points;
            }
            else
            {
                _reversed -= posting.Points;
            }

            _storeRows++;
            _storeAmount += amount;
            _storePoints += posting.Points;
            _rulesVersions.Add(posting.RulesVersion);
        }

        public SettlementTotals Finish(long bytes, string sha256)
        {
            CloseStore();
            _receiptCount += _receiptsOfNumber.Count;
            _receiptsOfNumber.Clear();
            return new SettlementTotals(_rowCount, _receiptCount, _amount, _awarded, _reversed, _stores, [.. _rulesVersions], bytes, sha256);
        }

        private void CloseStore()
        {
            if (_store is not null)
            {
                _stores.Add(new StoreSettlement(_store, _storeRows, Money(_storeAmount), _storePoints));
            }

            _store = null;
            _storeRows = 0;
            _storeAmount = 0;
            _storePoints = 0;
        }
    }
}
