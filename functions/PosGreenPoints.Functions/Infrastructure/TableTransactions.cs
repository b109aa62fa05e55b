namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>The limits of an entity-group transaction, and the one way the app cuts work to fit them.</summary>
public static class TableTransactions
{
    /// <summary>Entities per transaction (Azure Table storage).</summary>
    public const int MaxActions = 100;

    /// <summary>
    /// Characters of large text per transaction: a transaction carries at most 4 MiB, and this stays
    /// under that even when every character takes three bytes in UTF-8.
    /// </summary>
    public const int MaxChars = 1_000_000;

    /// <summary>Consecutive chunks of at most <paramref name="maxActions"/> items and <see cref="MaxChars"/> characters (an item larger than that goes alone).</summary>
    public static IEnumerable<List<T>> Chunk<T>(IEnumerable<T> items, Func<T, int> chars, int maxActions = MaxActions)
    {
        var chunk = new List<T>();
        var total = 0;
        foreach (var item in items)
        {
            var size = chars(item);
            if (chunk.Count == maxActions || (chunk.Count > 0 && total + size > MaxChars))
            {
                yield return chunk;
                chunk = [];
                total = 0;
            }

            chunk.Add(item);
            total += size;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}
