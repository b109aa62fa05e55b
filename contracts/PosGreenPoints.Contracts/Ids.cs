using System.Diagnostics.CodeAnalysis;

namespace PosGreenPoints.Contracts;

/// <summary>
/// The two kinds of identifier of the API, checked the same way wherever one arrives (a body, a path, a
/// stored key) and stated by the same patterns in the OpenAPI document.
/// <list type="bullet">
/// <item>An <em>id</em>: chains, stores, terminals, receipt numbers: 1–64 characters of <c>[A-Za-z0-9._-]</c>.</item>
/// <item>A <em>dotless id</em>: members and API clients: 1–64 characters of <c>[A-Za-z0-9_-]</c>. A client
/// id has no dot so that the first dot of an API key ends it.</item>
/// </list>
/// ASCII only and case-sensitive: <see cref="char.IsLetterOrDigit(char)"/> would let in other scripts.
/// </summary>
public static class Ids
{
    public const int MaxLength = 64;

    /// <summary>The JSON Schema pattern of an id; its length is said by <c>minLength</c> and <c>maxLength</c>.</summary>
    public const string Pattern = "^[A-Za-z0-9._-]+$";

    /// <summary>The JSON Schema pattern of a dotless id; its length is said by <c>minLength</c> and <c>maxLength</c>.</summary>
    public const string DotlessPattern = "^[A-Za-z0-9_-]+$";

    /// <summary>The rule in words, for a validation message: "must be " + this.</summary>
    public const string Rule = "1–64 characters of A–Z, a–z, 0–9, '.', '_' and '-'";

    /// <summary>The rule in words, for a validation message: "must be " + this.</summary>
    public const string DotlessRule = "1–64 characters of A–Z, a–z, 0–9, '_' and '-'";

    /// <summary>A chain, store, terminal or receipt number.</summary>
    public static bool IsId([NotNullWhen(true)] string? text) => Matches(text, allowDot: true);

    /// <summary>A member or an API client.</summary>
    public static bool IsDotlessId([NotNullWhen(true)] string? text) => Matches(text, allowDot: false);

    // A loop rather than a regex: receipts are checked field by field on the hot path, and a loop cannot
    // be fooled by a trailing newline the way '$' can.
    private static bool Matches([NotNullWhen(true)] string? text, bool allowDot)
    {
        if (text is not { Length: >= 1 and <= MaxLength })
        {
            return false;
        }

        foreach (var character in text)
        {
            if (!(char.IsAsciiLetterOrDigit(character) || character is '_' or '-' || (allowDot && character == '.')))
            {
                return false;
            }
        }

        return true;
    }
}
