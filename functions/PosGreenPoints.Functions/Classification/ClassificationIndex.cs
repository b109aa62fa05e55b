namespace PosGreenPoints.Functions.Classification;

/// <summary>A receipt line's match with one row of one product list, as recorded with its points.</summary>
public sealed record ListMatch(string ListId, string ListVersion, string? CertificateNumber, string? ProductName);

/// <summary>
/// One consistent set of product-list versions, immutable: a receipt is classified against one snapshot
/// from its first line to its last, whatever is published meanwhile.
/// </summary>
public sealed class ClassificationSnapshot
{
    private static readonly ListMatch[] NoMatches = [];

    private readonly ProductListIndex[] _lists;

    /// <param name="lists">One index per list, at most one per list id.</param>
    public ClassificationSnapshot(IEnumerable<ProductListIndex> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        _lists = [.. lists.OrderBy(list => list.ListId, StringComparer.Ordinal)];
        if (_lists.Select(list => list.ListId).Distinct(StringComparer.Ordinal).Count() != _lists.Length)
        {
            throw new ArgumentException("A snapshot holds one version of each list.", nameof(lists));
        }

        Versions = _lists.ToDictionary(list => list.ListId, list => list.Version, StringComparer.Ordinal);
    }

    /// <summary>No list published: nothing matches.</summary>
    public static ClassificationSnapshot Empty { get; } = new([]);

    /// <summary>List id → version, for the lists that are published.</summary>
    public IReadOnlyDictionary<string, string> Versions { get; }

    /// <summary>The indexes, in list-id order.</summary>
    internal IReadOnlyList<ProductListIndex> Lists => _lists;

    /// <summary>
    /// The lists a line matches (lists-and-rules.md, "Classification"): a row with this GTIN whose
    /// validity window holds the business date (both ends inclusive) and whose status, where the list
    /// has one, is <c>valid</c>. At most one match per list, in list-id order. The matches are those the
    /// lists made when they were loaded, the same instances on every call: a hit allocates only the list
    /// it returns, and a miss allocates nothing.
    /// </summary>
    /// <param name="gtin14">
    /// The line's GTIN in its 14-digit form. The 8, 12 and 13-digit forms of the same GTIN give the same
    /// answer; anything else matches nothing.
    /// </param>
    public IReadOnlyList<ListMatch> Classify(string gtin14, DateOnly businessDate)
    {
        ArgumentNullException.ThrowIfNull(gtin14);
        if (_lists.Length == 0 || !ProductListIndex.TryGetKey(gtin14, out var key))
        {
            return NoMatches;
        }

        var day = businessDate.DayNumber;
        ListMatch? first = null;
        var count = 0;
        foreach (var list in _lists)
        {
            if (list.Find(key, day) is { } found)
            {
                first ??= found;
                count++;
            }
        }

        if (count <= 1)
        {
            return first is null ? NoMatches : [first];
        }

        // On several lists, which is rare: the lookups are repeated rather than every line buffering them.
        var matches = new ListMatch[count];
        var next = 0;
        foreach (var list in _lists)
        {
            if (list.Find(key, day) is { } found)
            {
                matches[next++] = found;
            }
        }

        return matches;
    }
}
