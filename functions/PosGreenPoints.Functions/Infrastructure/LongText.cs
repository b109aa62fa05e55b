using Azure.Data.Tables;

namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>
/// Text longer than one table property holds (32 K UTF-16 characters), spread over numbered properties
/// (<c>Name</c>, <c>Name_1</c>, …) of one entity. A receipt of 500 lines has a scoring decision of that
/// size; an entity holds 1 MiB, so this keeps it in the one write that must be atomic.
/// </summary>
public static class LongText
{
    private const int PartLength = 30_000;
    private const int MaxParts = 30;

    public static void Set(TableEntity entity, string name, string text)
    {
        var parts = (text.Length + PartLength - 1) / PartLength;
        if (parts > MaxParts)
        {
            throw new InvalidOperationException($"{name} is {text.Length} characters, more than an entity holds.");
        }

        for (var part = 0; part < Math.Max(parts, 1); part++)
        {
            entity[PartName(name, part)] = text.Substring(part * PartLength, Math.Min(PartLength, text.Length - (part * PartLength)));
        }
    }

    public static string? Get(TableEntity entity, string name)
    {
        if (entity.GetString(name) is not { } first)
        {
            return null;
        }

        var text = new System.Text.StringBuilder(first);
        for (var part = 1; entity.GetString(PartName(name, part)) is { } next; part++)
        {
            text.Append(next);
        }

        return text.ToString();
    }

    /// <summary>The property names a reader must select to read <paramref name="name"/> back.</summary>
    public static IEnumerable<string> PropertyNames(string name) => Enumerable.Range(0, MaxParts).Select(part => PartName(name, part));

    private static string PartName(string name, int part) => part == 0 ? name : $"{name}_{part}";
}
