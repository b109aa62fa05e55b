using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Functions.Infrastructure.Http;

namespace PosGreenPoints.Functions.Functions;

/// <summary>
/// Serves the OpenAPI document of the API, for POS vendors to generate a client from: the committed
/// <c>contracts/openapi.json</c>, embedded in this assembly, which a unit test keeps equal to what
/// tools/PosGreenPoints.OpenApi generates from the wire types and the access policy.
/// </summary>
public sealed class OpenApiFunction
{
    private const string ResourceName = "openapi.json";
    private const string CacheControl = "public, max-age=3600";

    // The document is part of the build, so one read serves the app's whole life.
    private static readonly Lazy<byte[]> Document = new(ReadDocument);

    [Function("GetOpenApiDocument")]
    public static IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        TransportHeaders.Apply(request.HttpContext.Response, authenticated: false);
        request.HttpContext.Response.Headers.CacheControl = CacheControl;
        return new FileContentResult(Document.Value, "application/json");
    }

    private static byte[] ReadDocument()
    {
        using var resource = typeof(OpenApiFunction).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The app's assembly has no embedded {ResourceName}.");
        using var copy = new MemoryStream();
        resource.CopyTo(copy);
        return copy.ToArray();
    }
}
