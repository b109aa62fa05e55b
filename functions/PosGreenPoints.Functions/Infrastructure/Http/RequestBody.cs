using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace PosGreenPoints.Functions.Infrastructure.Http;

/// <summary>
/// Reads a request body up to a limit while it arrives: a body that announces or turns out to be
/// larger is refused as soon as the limit is crossed, so an oversize request never sits in memory whole.
/// </summary>
public static class RequestBody
{
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

    /// <summary>True when the request declares no content type or a JSON one (<c>application/json</c>, <c>…+json</c>).</summary>
    public static bool IsJsonOrUnspecified(HttpRequest request) =>
        string.IsNullOrEmpty(request.ContentType)
        || (MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true));
}
