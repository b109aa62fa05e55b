using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Telemetry;

namespace PosGreenPoints.Functions.Infrastructure.Http;

/// <summary>
/// What every API function runs through: the transport headers, authentication, the role check of the
/// operation's <see cref="Access"/> (<see cref="AccessPolicy"/>), the mapping of a storage outage to 503,
/// and of a bug to a 500 problem that names nothing. Chain scope is checked by the functions themselves,
/// as only they know the chain of the object asked for.
/// </summary>
public sealed class ApiGate(ApiKeyAuthenticator authenticator, ILogger<ApiGate> logger)
{
    private const string RetryAfterSeconds = "5";

    public async Task<IActionResult> RunAsync(
        HttpRequest request,
        Access access,
        Func<Caller, Task<IActionResult>> action,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(action);

        TransportHeaders.Apply(request.HttpContext.Response, authenticated: true);
        if (TransportHeaders.HasInvalidPath(request))
        {
            return Problems.InvalidPath();
        }

        try
        {
            var caller = await authenticator.AuthenticateAsync(request, cancellationToken);
            if (caller is null)
            {
                // RFC 9110 requires a 401 to name the scheme it wants.
                request.HttpContext.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeyAuthenticator.HeaderName}\"";
                return Problems.Unauthenticated();
            }

            if (!access.Roles.Contains(caller.Role))
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
        catch (Exception failure) when (!IsCancellationAsked(failure, request, cancellationToken))
        {
            // A bug. The host would answer an empty 500 and the runner its own; the API promises a problem
            // that names nothing of the failure (no stack trace, no connection string, no storage URL).
            // The stack trace, not the message: a message can quote a storage URL or a member id.
            logger.LogError("Unhandled failure of {Method} {Path}; answered 500: {Reason}{NewLine}{StackTrace}",
                request.Method, LogRedaction.Path(request.Path), LogRedaction.Describe(failure), Environment.NewLine, failure.StackTrace);
            return Problems.Internal();
        }
    }

    private static bool IsCancellationAsked(Exception failure, HttpRequest request, CancellationToken cancellationToken) =>
        failure is OperationCanceledException && (cancellationToken.IsCancellationRequested || request.HttpContext.RequestAborted.IsCancellationRequested);

    /// <summary>
    /// What the Azure SDK throws when storage is down, overloaded or slow: a failed request with a server
    /// status, or none (0: no answer), or throttling (408, 429) once retries are spent; an
    /// <see cref="AggregateException"/> of the retries; a transport failure; a timeout. Anything else,
    /// a 4xx from storage included, is a bug: a 500 problem.
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
