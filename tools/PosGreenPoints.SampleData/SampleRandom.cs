namespace PosGreenPoints.SampleData;

/// <summary>
/// SplitMix64: a seeded generator written out here rather than <see cref="Random"/>, whose seeded
/// sequence .NET does not promise to keep across versions. The committed samples are compared byte for
/// byte with a fresh generation, so the sequence must never change under them.
/// </summary>
internal sealed class SampleRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>0 ≤ result &lt; <paramref name="maxExclusive"/>. The modulo bias (under 2^-40 here) does not matter for sample data.</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    /// <summary>True with a probability of <paramref name="percent"/> in 100.</summary>
    public bool Percent(int percent) => Next(100) < percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public string Digits(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + Next(10))));

    public DateOnly Date(DateOnly from, DateOnly to) => from.AddDays(Next(to.DayNumber - from.DayNumber + 1));

    /// <summary>Fisher–Yates, in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var index = items.Count - 1; index > 0; index--)
        {
            var other = Next(index + 1);
            (items[index], items[other]) = (items[other], items[index]);
        }
    }
}
