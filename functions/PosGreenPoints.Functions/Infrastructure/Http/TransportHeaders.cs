using Microsoft.AspNetCore.Http;

namespace PosGreenPoints.Functions.Infrastructure.Http;

/// <summary>
/// The headers every answer of the API carries (api.md): <c>X-Content-Type-Options: nosniff</c> on all,
/// <c>Cache-Control: no-store</c> on those to a request that needs an API key. Set by the functions
/// themselves, through <see cref="ApiGate"/>, so that they hold under the Functions host and the local
/// runner alike: neither host adds them, and no worker middleware of Program.cs is relied on.
/// </summary>
public static class TransportHeaders
{
    public static void Apply(HttpResponse response, bool authenticated)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.XContentTypeOptions = "nosniff";
        if (authenticated)
        {
            // Answers hold members' points and settlements: no cache between the client and us keeps them.
            response.Headers.CacheControl = "no-store";
        }
    }

    /// <summary>A path no operation reads: a control character (NUL included) once percent-decoded.</summary>
    public static bool HasInvalidPath(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.Value is { } path && path.Any(char.IsControl);
    }
}
