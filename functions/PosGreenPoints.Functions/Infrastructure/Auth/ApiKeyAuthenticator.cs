using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Functions.Admin;

namespace PosGreenPoints.Functions.Infrastructure.Auth;

/// <summary>The <c>Auth</c> settings.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// An operator key from configuration (<c>Auth:BootstrapOperatorKey</c>), so that the first clients can
    /// be created. It is revoked by changing the setting, not through the API.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    [MinLength(32)]
    public string BootstrapOperatorKey { get; set; } = "";
}

/// <summary>
/// Finds the caller of an API request from its <c>X-Api-Key</c> header. The local runner does not run
/// worker middleware, so each function asks for this explicitly (through <see cref="Http.ApiGate"/>).
/// </summary>
public sealed class ApiKeyAuthenticator(ClientRegistry clients, IOptions<AuthOptions> options, ILogger<ApiKeyAuthenticator> logger)
{
    public const string HeaderName = "X-Api-Key";

    private static readonly Caller BootstrapOperator = new(ApiKeys.BootstrapOperatorClientId, Role.Operator, FrozenSet<string>.Empty);

    // Comparing hashes rather than the keys makes the comparison constant-time whatever the lengths.
    private readonly byte[] _bootstrapKeyHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.BootstrapOperatorKey));

    /// <returns>The caller, or <c>null</c> when the key is missing, malformed, unknown or revoked.</returns>
    public async Task<Caller?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Two X-Api-Key headers are ambiguous: refused rather than guessed at.
        if (request.Headers[HeaderName] is not [{ Length: > 0 } presented])
        {
            return null;
        }

        if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _bootstrapKeyHash))
        {
            return BootstrapOperator;
        }

        if (!ApiKeys.TryParse(presented, out var key))
        {
            return null;
        }

        // Only the client id is ever logged, never the key; TryParse has checked that it is a plain id.
        var client = await clients.FindAsync(key.ClientId, cancellationToken);
        if (client is null)
        {
            logger.LogInformation("Refused an API key of the unknown client {ClientId}", key.ClientId);
            return null;
        }

        if (client.IsRevoked)
        {
            logger.LogInformation("Refused an API key of the revoked client {ClientId}", key.ClientId);
            return null;
        }

        if (!ApiKeys.SecretMatches(key.Secret, client.SecretHash.Span))
        {
            logger.LogWarning("Refused a wrong API key for the client {ClientId}", key.ClientId);
            return null;
        }

        return new Caller(client.ClientId, client.Role, client.Chains.ToFrozenSet(StringComparer.Ordinal));
    }
}
