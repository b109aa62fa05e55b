using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Telemetry;

namespace PosGreenPoints.Functions.Infrastructure.Http;

/// <summary>
/// What every API function runs through: authentication, the role check, and the mapping of a storage
/// outage to 503. Chain scope is checked by the functions themselves, as only they know the chain of
/// the object asked for.
/// </summary>
public sealed class ApiGate(ApiKeyAuthenticator authenticator, ILogger<ApiGate> logger)
{
    private const string RetryAfterSeconds = "5";

    public async Task<IActionResult> RunAsync(
        HttpRequest request,
        IReadOnlySet<Role> allowedRoles,
        Func<Caller, Task<IActionResult>> action,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(allowedRoles);
        ArgumentNullException.ThrowIfNull(action);

        try
        {
            var caller = await authenticator.AuthenticateAsync(request, cancellationToken);
            if (caller is null)
            {
                // RFC 9110 requires a 401 to name the scheme it wants.
                request.HttpContext.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeyAuthenticator.HeaderName}\"";
                return Problems.Unauthenticated();
            }

            if (!allowedRoles.Contains(caller.Role))
            {
                return Problems.Forbidden();
            }

            return await action(caller);
        }
        catch (Exception failure) when (IsStorageUnavailable(failure, request, cancellationToken))
        {
            // Not in the answer: the failure can name the account's endpoints. Nor raw in the log: the
            // failure's URL and the request path can name a member (Members table keys, /members/{memberId}).
            logger.LogWarning("Storage did not answer {Method} {Path}; answered 503: {Reason}", request.Method, LogRedaction.Path(request.Path), LogRedaction.Describe(failure));
            request.HttpContext.Response.Headers[HeaderNames.RetryAfter] = RetryAfterSeconds;
            return Problems.StorageUnavailable();
        }
    }

    /// <summary>
    /// What the Azure SDK throws when storage is down, overloaded or slow: a failed request with a server
    /// status, or none (0: no answer), or throttling (408, 429) once retries are spent; an
    /// <see cref="AggregateException"/> of the retries; a transport failure; a timeout. Anything else,
    /// a 4xx from storage included, is a bug and goes on to the host as a 500.
    /// </summary>
    private static bool IsStorageUnavailable(Exception failure, HttpRequest request, CancellationToken cancellationToken) =>
        failure switch
        {
            RequestFailedException { Status: >= 500 or 0 or StatusCodes.Status408RequestTimeout or StatusCodes.Status429TooManyRequests } => true,
            AggregateException or HttpRequestException or TimeoutException => true,
            // A cancellation that the caller did not ask for is an SDK timeout.
            OperationCanceledException => !cancellationToken.IsCancellationRequested && !request.HttpContext.RequestAborted.IsCancellationRequested,
            _ => false,
        };
}
