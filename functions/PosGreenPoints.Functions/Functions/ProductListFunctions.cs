using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.ProductLists;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;

namespace PosGreenPoints.Functions.Functions;

/// <summary>The operator's endpoints for product lists (api.md, Admin; lists-and-rules.md, "Product lists").</summary>
public sealed class ProductListFunctions(ApiGate gate, ProductListPublisher publisher, ILogger<ProductListFunctions> logger)
{
    /// <summary>Publishes a list from a <c>text/csv</c> body of at most 25 MiB, read as it arrives.</summary>
    [Function("AdminPutProductList")]
    public Task<IActionResult> PutProductList(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/admin/product-lists/{listId}")] HttpRequest request,
        string listId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminPutProductList, async caller =>
        {
            if (!IsCsvOrUnspecified(request))
            {
                return Problems.Create(
                    StatusCodes.Status415UnsupportedMediaType,
                    ProblemTypes.UnsupportedMediaType,
                    "The content type is not supported.",
                    "Send the list as text/csv (UTF-8).");
            }

            if (request.ContentLength > Limits.MaxProductListBodyBytes)
            {
                return TooLarge();
            }

            PublishOutcome outcome;
            try
            {
                outcome = await publisher.PublishAsync(listId, request.Body, Limits.MaxProductListBodyBytes, cancellationToken);
            }
            catch (BadHttpRequestException failure)
            {
                // Kestrel's own verdict on the body (a broken chunked encoding, its size limit): the
                // client's fault, never a 500.
                return failure.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? TooLarge()
                    : Problems.Malformed("The request body could not be read.");
            }

            return Answer(caller, listId, outcome);
        }, cancellationToken);

    /// <summary>The current version of each list in the rules; a list never published is left out.</summary>
    [Function("AdminListProductLists")]
    public Task<IActionResult> ListProductLists(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/admin/product-lists")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminListProductLists, async _ =>
            new OkObjectResult(await publisher.ListCurrentAsync(cancellationToken)), cancellationToken);

    /// <summary>A write-only SAS URL, valid 30 minutes, for a list too large for the PUT.</summary>
    [Function("AdminCreateProductListUpload")]
    public Task<IActionResult> CreateUpload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/product-lists/{listId}/uploads")] HttpRequest request,
        string listId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminCreateProductListUpload, async caller =>
        {
            if (await publisher.CreateUploadAsync(listId, cancellationToken) is not { } upload)
            {
                return UnknownList(listId);
            }

            logger.LogInformation("{Operator} created the upload {Upload} for {ListId}", caller.ClientId, upload.Upload, listId);
            // The URL is a credential: no cache or proxy may keep it.
            request.HttpContext.Response.Headers.CacheControl = "no-store";
            return new ObjectResult(upload) { StatusCode = StatusCodes.Status201Created };
        }, cancellationToken);

    /// <summary>Publishes an upload, exactly as the PUT publishes its body.</summary>
    [Function("AdminPublishProductList")]
    public Task<IActionResult> PublishUpload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/product-lists/{listId}/publish")] HttpRequest request,
        string listId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminPublishProductList, async caller =>
        {
            var (body, problem) = await RequestBody.ReadJsonAsync<ProductListPublish>(request, Limits.MaxProductListPublishBodyBytes, cancellationToken);
            if (body is null)
            {
                return problem!;
            }

            if (!ProductListPublisher.IsUploadName(body?.Upload))
            {
                return Problems.Validation(new Dictionary<string, string[]>
                {
                    ["upload"] = ["must be the upload name that POST /api/v1/admin/product-lists/{listId}/uploads answered."],
                });
            }

            return Answer(caller, listId, await publisher.PublishUploadAsync(listId, body!.Upload, cancellationToken));
        }, cancellationToken);

    private IActionResult Answer(Caller caller, string listId, PublishOutcome outcome)
    {
        switch (outcome)
        {
            case PublishOutcome.Published published:
                logger.LogInformation(
                    "{Operator} published version {Version} of {ListId}: {RowCount} rows, SHA-256 {Sha256}",
                    caller.ClientId, published.Version.Version, listId, published.Version.RowCount, published.Version.Sha256);
                return new ObjectResult(published.Version) { StatusCode = StatusCodes.Status201Created };
            case PublishOutcome.Unchanged unchanged:
                logger.LogInformation("{Operator} published the current version {Version} of {ListId} again; nothing changed", caller.ClientId, unchanged.Version.Version, listId);
                return new OkObjectResult(unchanged.Version);
            case PublishOutcome.Invalid invalid:
                logger.LogInformation("{Operator} published an invalid {ListId}: {ErrorCount} errors; nothing changed", caller.ClientId, listId, invalid.Validation.ErrorCount);
                return RowErrors(invalid.Validation);
            case PublishOutcome.UnknownList:
                return UnknownList(listId);
            case PublishOutcome.UploadNotFound:
                return Problems.NotFound("There is no such upload for this list; uploads are deleted once published.");
            case PublishOutcome.TooLarge:
                return TooLarge();
            case PublishOutcome.Conflict conflict:
                return Problems.Conflict(ProblemTypes.Conflict, "The list changed meanwhile.", conflict.Detail);
            default:
                throw new UnreachableException();
        }
    }

    private static ObjectResult RowErrors(ProductListValidation validation)
    {
        var result = Problems.Create(
            StatusCodes.Status400BadRequest,
            ProblemTypes.Validation,
            "The product list is not valid.",
            $"{validation.ErrorCount} problem(s); nothing was published. 'rowErrors' lists the first {ProductListValidator.MaxReportedErrors} by data row (row 1 is the first record after the header; 0 is the header or the whole file).");
        var problem = (ProblemDetails)result.Value!;
        problem.Extensions["rowErrors"] = validation.Errors;
        problem.Extensions["rowErrorCount"] = validation.ErrorCount;
        return result;
    }

    private static ObjectResult UnknownList(string listId) =>
        Problems.NotFound($"The points rules name no list '{listId}'.");

    private static ObjectResult TooLarge() =>
        Problems.Create(
            StatusCodes.Status413PayloadTooLarge,
            ProblemTypes.PayloadTooLarge,
            "The request body is too large.",
            $"The limit is {Limits.MaxProductListBodyBytes} bytes. Publish a larger list through POST /api/v1/admin/product-lists/{{listId}}/uploads.");

    /// <summary>True for <c>text/csv</c> (in UTF-8, when a charset is named) or no content type.</summary>
    private static bool IsCsvOrUnspecified(HttpRequest request) =>
        string.IsNullOrEmpty(request.ContentType)
        || (MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            && mediaType.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)
            && (mediaType.Charset.Length == 0 || mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)));
}
