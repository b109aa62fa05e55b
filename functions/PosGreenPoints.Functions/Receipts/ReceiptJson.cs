using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>The outcome of reading a request body as JSON: a document, or why the body is not JSON.</summary>
public sealed class ReceiptJsonParse
{
    private ReceiptJsonParse(JsonDocument? document, string? malformedReason)
    {
        Document = document;
        MalformedReason = malformedReason;
    }

    /// <summary>The parsed body; the caller disposes it.</summary>
    public JsonDocument? Document { get; }

    /// <summary>Why the body is not JSON, short and safe to show the client.</summary>
    public string? MalformedReason { get; }

    [MemberNotNullWhen(true, nameof(Document))]
    [MemberNotNullWhen(false, nameof(MalformedReason))]
    public bool IsWellFormed => Document is not null;

    internal static ReceiptJsonParse WellFormed(JsonDocument document) => new(document, null);

    internal static ReceiptJsonParse Malformed(string reason) => new(null, reason);
}

/// <summary>Reads receipt request bodies strictly: UTF-8 JSON as RFC 8259 defines it, nothing more lenient.</summary>
public static class ReceiptJson
{
    public const int MaxDepth = 32;

    // Some JSON parsers take the first of two equal property names and some the last; a body whose
    // meaning depends on the reader is refused rather than guessed at.
    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        AllowDuplicateProperties = false,
    };

    private const int MaxReasonLength = 120;

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Parses a body. A leading UTF-8 byte order mark is skipped (RFC 8259 lets a parser ignore it);
    /// invalid UTF-8 anywhere, comments, trailing commas, duplicate property names and nesting deeper
    /// than <see cref="MaxDepth"/> make the body malformed.
    /// </summary>
    public static ReceiptJsonParse Parse(ReadOnlyMemory<byte> utf8)
    {
        if (utf8.Span.StartsWith(ByteOrderMark))
        {
            utf8 = utf8[ByteOrderMark.Length..];
        }

        // The JSON reader checks the structure but lets invalid UTF-8 inside strings through to
        // whoever reads them later, so the whole body is checked here, once.
        if (!Utf8.IsValid(utf8.Span))
        {
            return ReceiptJsonParse.Malformed($"The body is not valid UTF-8: the first invalid byte is at offset {FirstInvalidUtf8Offset(utf8.Span)}.");
        }

        try
        {
            return ReceiptJsonParse.WellFormed(JsonDocument.Parse(utf8, Options));
        }
        catch (JsonException failure)
        {
            return ReceiptJsonParse.Malformed(Describe(failure));
        }
    }

    private static int FirstInvalidUtf8Offset(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length && Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
    }

    // The reader's message may quote the offending token or property name, which can be as long as the
    // body: only its beginning is kept, and the position is given in the reader's own numbers.
    private static string Describe(JsonException failure)
    {
        var reason = failure.Message;
        var positionStart = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (positionStart >= 0)
        {
            reason = reason[..positionStart];
        }

        if (reason.Length > MaxReasonLength)
        {
            reason = string.Concat(reason.AsSpan(0, MaxReasonLength), "…");
        }

        var position = failure.LineNumber is { } line && failure.BytePositionInLine is { } column
            ? $" (line {line + 1}, byte {column + 1} of that line)"
            : "";
        return $"The body is not valid JSON{position}: {reason}";
    }
}
