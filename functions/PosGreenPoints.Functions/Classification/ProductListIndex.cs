using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Classification;

/// <summary>
/// One version of one product list, in memory, laid out for a million rows looked up in random order: a
/// hash table whose entries are the rows themselves (the GTIN-14 as a number, the validity window as day
/// numbers, and the row's match, made once when the list is loaded). A lookup reads the entry its GTIN
/// hashes to and the few after it, mostly one cache line, and a hit hands out the row's match rather than
/// building one. Rows whose status is not <c>valid</c> can never match and are left out. Immutable, so
/// every invocation of an instance shares it.
/// </summary>
/// <remarks>
/// <para>
/// Hand-written open addressing with linear probing, at most half full. Each row of a GTIN (a renewed
/// certificate) has an entry of its own on the GTIN's probe sequence, so a lookup checks every entry with
/// its GTIN until an empty one. The layout before, rows sorted by GTIN with a separate table of where each
/// GTIN's rows start and their text in one buffer, cost three cache misses for a hit (the table, the row,
/// the text its strings were built from) and four allocations: on a shuffled stream it classified less
/// than half as many lines a second as this one.
/// </para>
/// <para>
/// The made matches take more memory than their text did (some 100 bytes a row against 40): 136 MB for a
/// million rows with the table. Product names repeat across a list (the sample's 3,060 rows have 449), so
/// each distinct name is one string.
/// </para>
/// </remarks>
public sealed class ProductListIndex
{
    private const int InitialCapacity = 1024;

    // Fibonacci hashing: the multiplier spreads GTINs that differ in any digit over the top bits.
    private const ulong HashMultiplier = 0x9E3779B97F4A7C15;

    // An entry without a match is empty, and there is always one, so a probe always ends.
    private readonly Entry[] _entries;

    /// <param name="rows">The rows that can match, each with its match.</param>
    private ProductListIndex(string listId, string version, int rowCount, Entry[] rows)
    {
        ListId = listId;
        Version = version;
        RowCount = rowCount;
        MatchableRowCount = rows.Length;

        // Twice the rows: a probe for a GTIN that is not listed ends after some 2.5 entries.
        _entries = new Entry[(rows.Length * 2) + 1];
        foreach (var entry in rows)
        {
            var slot = Home(entry.Gtin);
            while (_entries[slot].Match is not null)
            {
                slot = Next(slot);
            }

            _entries[slot] = entry;
        }
    }

    public string ListId { get; }
    public string Version { get; }

    /// <summary>The data rows of the file.</summary>
    public int RowCount { get; }

    /// <summary>The rows kept: those that can match.</summary>
    public int MatchableRowCount { get; }

    /// <summary>
    /// Builds the index of a published list version from its CSV, streaming. The file was validated when
    /// it was published, so a row that breaks the rules now means the stored file is not what was
    /// published, and loading fails rather than classify against part of it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid product list.</exception>
    public static async Task<ProductListIndex> LoadAsync(Stream csv, string listId, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentException.ThrowIfNullOrEmpty(listId);
        ArgumentException.ThrowIfNullOrEmpty(version);

        using var parser = ProductListCsv.Open(csv, badData: null);
        if (!await parser.ReadAsync())
        {
            throw new InvalidDataException($"Version {version} of {listId} has no header.");
        }

        var header = parser.Record ?? [];
        var gtinColumn = Column(header, ProductListColumns.Gtin, listId, version);
        var validFromColumn = Column(header, ProductListColumns.ValidFrom, listId, version);
        var validToColumn = Column(header, ProductListColumns.ValidTo, listId, version);
        var statusColumn = Array.IndexOf(header, ProductListColumns.Status);
        var certificateColumn = Array.IndexOf(header, ProductListColumns.CertificateNumber);
        var productNameColumn = Array.IndexOf(header, ProductListColumns.ProductName);

        var rows = new Builder(listId, version);
        var row = 0;
        try
        {
            while (await parser.ReadAsync())
            {
                cancellationToken.ThrowIfCancellationRequested();
                row++;
                if (parser.Count != header.Length)
                {
                    throw new InvalidDataException($"has {parser.Count} fields; the header has {header.Length}");
                }

                if (statusColumn >= 0 && parser[statusColumn] != ProductListColumns.StatusValid)
                {
                    continue;
                }

                if (!Gtin.TryNormalize(parser[gtinColumn], out var gtin14))
                {
                    throw new InvalidDataException("has no valid GTIN");
                }

                var validFrom = ParseDate(parser[validFromColumn]);
                var validTo = ParseDate(parser[validToColumn]);
                rows.Add(
                    GtinKey(gtin14),
                    validFrom,
                    validTo,
                    certificateColumn >= 0 ? parser[certificateColumn] : null,
                    productNameColumn >= 0 ? parser[productNameColumn] : null);
            }
        }
        catch (InvalidDataException failure)
        {
            throw new InvalidDataException($"Row {row} of version {version} of {listId} {failure.Message}.", failure);
        }

        return new ProductListIndex(listId, version, row, rows.Entries());
    }

    /// <summary>The number a 14-digit GTIN is kept as.</summary>
    public static long GtinKey(string gtin14) =>
        TryGetKey(gtin14, out var key) && gtin14.Length == Gtin.NormalizedLength
            ? key
            : throw new ArgumentException("Not a GTIN-14.", nameof(gtin14));

    /// <summary>
    /// The digits of a GTIN-8, -12, -13 or -14 as a number: the same number for every form of one GTIN,
    /// since the short forms differ from the 14-digit one only by leading zeros. No check digit test:
    /// GTINs reach here validated.
    /// </summary>
    internal static bool TryGetKey(ReadOnlySpan<char> gtin, out long key)
    {
        key = 0;
        if (gtin.Length is not (8 or 12 or 13 or Gtin.NormalizedLength))
        {
            return false;
        }

        foreach (var character in gtin)
        {
            var digit = (uint)(character - '0');
            if (digit > 9)
            {
                return false;
            }

            key = (key * 10) + digit;
        }

        return true;
    }

    /// <returns>
    /// The match of the row of this GTIN whose window holds <paramref name="dayNumber"/>, the same instance
    /// on every call; or null.
    /// </returns>
    internal ListMatch? Find(long gtin, int dayNumber)
    {
        for (var slot = Home(gtin); ; slot = Next(slot))
        {
            ref readonly var entry = ref _entries[slot];
            if (entry.Match is null || (entry.Gtin == gtin && entry.ValidFrom <= dayNumber && dayNumber <= entry.ValidTo))
            {
                return entry.Match;
            }
        }
    }

    // Multiply-shift onto any table size, so that the table is twice the rows rather than the next power
    // of two, which for some sizes would be four times.
    private int Home(long gtin) => (int)(((((ulong)gtin * HashMultiplier) >> 32) * (ulong)_entries.Length) >> 32);

    private int Next(int slot) => slot + 1 == _entries.Length ? 0 : slot + 1;

    private static int Column(string[] header, string name, string listId, string version)
    {
        var index = Array.IndexOf(header, name);
        return index >= 0 ? index : throw new InvalidDataException($"Version {version} of {listId} has no column {name}.");
    }

    private static int ParseDate(string value) =>
        ProductListCsv.TryParseDate(value, out var date)
            ? date.DayNumber
            : throw new InvalidDataException($"has '{value}' for a date");

    /// <summary>An entry of the table: a row's GTIN, its validity window and its match; empty without one.</summary>
    private readonly record struct Entry(long Gtin, int ValidFrom, int ValidTo, ListMatch? Match);

    /// <summary>A row as it is read: its text in the shared buffer, the certificate number then the name.</summary>
    private readonly record struct Row(long Gtin, int ValidFrom, int ValidTo, int TextStart, short CertificateLength, short ProductNameLength);

    /// <summary>
    /// Collects rows in file order, their text in one buffer, and makes their matches at the end, in one
    /// run, before any goes into the table. Made as the rows were read, the matches and their strings,
    /// long-lived objects scattered among the parser's short-lived ones, made the garbage collector's pauses
    /// during a million-row load several times as long; made straight into the table, whose every part then
    /// pointed at new objects, each collection scanned the whole table (0.35–0.7 s of pauses against
    /// 0.1–0.15 s, measured).
    /// </summary>
    private sealed class Builder(string listId, string version)
    {
        private const short Absent = -1;

        // Product names repeat across a list (the sample's 3,060 rows have 449): one string each.
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _productNames =
            new HashSet<string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        private Row[] _rows = new Row[InitialCapacity];
        private char[] _text = new char[InitialCapacity * 16];
        private int _count;
        private int _textLength;

        public void Add(long gtin, int validFrom, int validTo, string? certificate, string? productName)
        {
            if (_count == _rows.Length)
            {
                Array.Resize(ref _rows, _count * 2);
            }

            var textStart = _textLength;
            var certificateLength = AppendText(certificate);
            // An empty name says nothing: kept as none.
            var productNameLength = AppendText(productName is { Length: > 0 } ? productName : null);
            _rows[_count++] = new Row(gtin, validFrom, validTo, textStart, certificateLength, productNameLength);
        }

        /// <summary>The rows in file order, each with its match.</summary>
        public Entry[] Entries()
        {
            var entries = new Entry[_count];
            for (var row = 0; row < entries.Length; row++)
            {
                entries[row] = Entry(row);
            }

            return entries;
        }

        private Entry Entry(int row)
        {
            ref readonly var read = ref _rows[row];
            var text = _text.AsSpan(read.TextStart);
            string? certificate = null;
            if (read.CertificateLength != Absent)
            {
                certificate = new string(text[..read.CertificateLength]);
                text = text[read.CertificateLength..];
            }

            var productName = read.ProductNameLength == Absent ? null : Share(text[..read.ProductNameLength]);
            return new Entry(read.Gtin, read.ValidFrom, read.ValidTo, new ListMatch(listId, version, certificate, productName));
        }

        private short AppendText(string? text)
        {
            if (text is null)
            {
                return Absent;
            }

            if (_textLength + text.Length > _text.Length)
            {
                Array.Resize(ref _text, Math.Max(_text.Length * 2, _textLength + text.Length));
            }

            text.CopyTo(_text.AsSpan(_textLength));
            _textLength += text.Length;
            // Validated text is at most 200 characters, 400 UTF-16 units.
            return checked((short)text.Length);
        }

        private string Share(ReadOnlySpan<char> productName)
        {
            if (!_productNames.TryGetValue(productName, out var shared))
            {
                shared = new string(productName);
                _productNames.Set.Add(shared);
            }

            return shared;
        }
    }
}
