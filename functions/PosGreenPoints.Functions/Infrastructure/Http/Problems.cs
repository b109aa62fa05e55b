using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace PosGreenPoints.Functions.Infrastructure.Http;

/// <summary>Problem-details answers (<c>application/problem+json</c>) for every error the API gives.</summary>
public static class Problems
{
    public static ObjectResult Create(int status, string type, string title, string? detail = null, IDictionary<string, string[]>? errors = null)
    {
        var problem = errors is { Count: > 0 }
            ? new ValidationProblemDetails(errors) { Status = status, Type = type, Title = title, Detail = detail }
            : new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };
        return new ObjectResult(problem) { StatusCode = status, ContentTypes = { "application/problem+json" } };
    }

    /// <summary>A problem with members beside the standard ones (RFC 9457 extensions), such as <c>available</c> for too few points.</summary>
    public static ObjectResult WithExtensions(int status, string type, string title, string detail, IReadOnlyDictionary<string, object?> extensions)
    {
        var result = Create(status, type, title, detail);
        foreach (var (name, value) in extensions)
        {
            ((ProblemDetails)result.Value!).Extensions[name] = value;
        }

        return result;
    }

    public static ObjectResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        Create(StatusCodes.Status400BadRequest, ProblemTypes.Validation, "The request is not valid.", detail ?? "See 'errors' for each invalid field by its JSON path.", errors);

    public static ObjectResult Malformed(string detail) =>
        Create(StatusCodes.Status400BadRequest, ProblemTypes.MalformedRequest, "The request body could not be read.", detail);

    public static ObjectResult TooLarge(long limitBytes) =>
        Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge, "The request body is too large.", $"The limit is {limitBytes} bytes.");

    public static ObjectResult UnsupportedMediaType(string expected) =>
        Create(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType, "The content type is not supported.", $"Send the body as {expected}.");

    public static ObjectResult Unauthenticated() =>
        Create(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthenticated, "A valid API key is required.", "Send the key in the X-Api-Key header.");

    public static ObjectResult Forbidden(string detail = "This API key may not do this.") =>
        Create(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden.", detail);

    public static ObjectResult NotFound(string detail = "There is no such object, or it is outside this key's scope.") =>
        Create(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found.", detail);

    /// <summary>A 422: the request names a chain the scheme does not know (yet).</summary>
    public static ObjectResult ChainNotRegistered(string chainId) =>
        Create(StatusCodes.Status422UnprocessableEntity, ProblemTypes.ChainNotRegistered, "The chain is not registered.",
            $"Chain '{chainId}' is not registered; an operator registers it with PUT /api/v1/admin/chains/{{chainId}}.");

    public static ObjectResult Conflict(string type, string title, string detail) =>
        Create(StatusCodes.Status409Conflict, type, title, detail);

    public static ObjectResult RouteNotFound() =>
        Create(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found.", "No operation of the API has this path.");

    public static ObjectResult MethodNotAllowed(IEnumerable<string> allowed) =>
        Create(StatusCodes.Status405MethodNotAllowed, ProblemTypes.MethodNotAllowed, "The method is not allowed.", $"This path allows {string.Join(", ", allowed)}.");

    public static ObjectResult InvalidPath() =>
        Create(StatusCodes.Status400BadRequest, ProblemTypes.MalformedRequest, "The request path could not be read.", "The path holds a control character.");

    /// <summary>A bug: the answer says nothing of it, the log says all.</summary>
    public static ObjectResult Internal() =>
        Create(StatusCodes.Status500InternalServerError, ProblemTypes.InternalError, "The request failed.", "The failure is logged. Retrying may not help.");

    public static ObjectResult StorageUnavailable() =>
        Create(StatusCodes.Status503ServiceUnavailable, ProblemTypes.StorageUnavailable, "Storage is unavailable.", "Nothing was changed. Retry later.");
}
