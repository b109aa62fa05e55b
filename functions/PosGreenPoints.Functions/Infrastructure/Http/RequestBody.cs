using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Infrastructure.Http;

/// <summary>
/// Reads a request body up to a limit while it arrives: a body that announces or turns out to be
/// larger is refused as soon as the limit is crossed, so an oversize request never sits in memory whole.
/// </summary>
public static class RequestBody
{
    /// <summary>
    /// How every JSON body is bound (api.md): camelCase names compared case-sensitively, a repeated
    /// property malformed, numbers as JSON numbers only; unknown properties are ignored. The web
    /// defaults alone would bind <c>"Role"</c> as <c>role</c> and keep the last of two <c>role</c>s.
    /// </summary>
    public static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        AllowDuplicateProperties = false,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    /// <returns>The body, or <c>null</c> when it is larger than <paramref name="limitBytes"/>.</returns>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limitBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limitBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length : 4096);
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limitBytes)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Reads a JSON body of at most <paramref name="limitBytes"/>: the bytes, or the problem to answer
    /// (415 for another content type, 413 past the limit, 400 for a body Kestrel refused to read).
    /// </summary>
    public static async Task<(byte[]? Bytes, ObjectResult? Problem)> ReadJsonBytesAsync(HttpRequest request, int limitBytes, CancellationToken cancellationToken)
    {
        if (!IsJsonOrUnspecified(request))
        {
            return (null, Problems.UnsupportedMediaType("application/json"));
        }

        try
        {
            return await ReadAsync(request, limitBytes, cancellationToken) is { } bytes
                ? (bytes, null)
                : (null, Problems.TooLarge(limitBytes));
        }
        catch (BadHttpRequestException failure)
        {
            // Kestrel's own verdict on the body (a broken chunked encoding, its size limit): the
            // client's fault, never a 500.
            return (null, failure.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problems.TooLarge(limitBytes)
                : Problems.Malformed("The request body could not be read."));
        }
    }

    /// <summary>
    /// Reads a JSON body of at most <paramref name="limitBytes"/> with the receipts' strict parser (repeated
    /// properties and broken UTF-8 make a body malformed on every posting route) and hands its root to
    /// <paramref name="handle"/>; or answers the problem.
    /// </summary>
    public static async Task<IActionResult> WithStrictJsonAsync(HttpRequest request, int limitBytes, Func<JsonElement, Task<IActionResult>> handle, CancellationToken cancellationToken)
    {
        var (bytes, problem) = await ReadJsonBytesAsync(request, limitBytes, cancellationToken);
        if (bytes is null)
        {
            return problem!;
        }

        var parsed = ReceiptJson.Parse(bytes);
        if (!parsed.IsWellFormed)
        {
            return Problems.Malformed(parsed.MalformedReason);
        }

        using var document = parsed.Document;
        return await handle(document.RootElement);
    }

    /// <summary>Reads a JSON body of at most <paramref name="limitBytes"/> as <typeparamref name="T"/>, or the problem to answer.</summary>
    public static async Task<(T? Body, ObjectResult? Problem)> ReadJsonAsync<T>(HttpRequest request, int limitBytes, CancellationToken cancellationToken)
        where T : class
    {
        var (bytes, problem) = await ReadJsonBytesAsync(request, limitBytes, cancellationToken);
        if (bytes is null)
        {
            return (null, problem);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(bytes, StrictJson) is { } body
                ? (body, null)
                : (null, Problems.Malformed("The body must be a JSON object."));
        }
        catch (JsonException failure)
        {
            return (null, Problems.Malformed(failure.Path is { Length: > 0 } path
                ? $"The body is not valid JSON for this request (at {path})."
                : "The body is not valid JSON for this request."));
        }
    }

    /// <summary>
    /// True when the request declares no content type or a JSON one (<c>application/json</c>,
    /// <c>…+json</c>) with no charset or UTF-8: JSON is UTF-8 (RFC 8259), and a body declared as
    /// UTF-16 or Latin-1 would otherwise be read as UTF-8 and mean something else.
    /// </summary>
    public static bool IsJsonOrUnspecified(HttpRequest request) =>
        string.IsNullOrEmpty(request.ContentType)
        || (MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true)
            && (!mediaType.Charset.HasValue
                || mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                || mediaType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)));
}
