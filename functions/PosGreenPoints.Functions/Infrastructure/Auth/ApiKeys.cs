using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PosGreenPoints.Contracts;

namespace PosGreenPoints.Functions.Infrastructure.Auth;

/// <summary>An API key split into the client it names and the secret that proves it.</summary>
public sealed record ParsedApiKey(string ClientId, string Secret)
{
    // A record prints every property; the secret must never reach a log that way.
    public override string ToString() => $"{nameof(ParsedApiKey)} {{ {nameof(ClientId)} = {ClientId} }}";
}

/// <summary>A newly issued key: the key to hand out once, and the only part of it that is stored.</summary>
public sealed record IssuedApiKey(string Key, ReadOnlyMemory<byte> SecretHash)
{
    // A record prints every property; the key must never reach a log that way.
    public override string ToString() => nameof(IssuedApiKey);
}

/// <summary>
/// API keys of the form <c>{clientId}.{secret}</c>: the client id makes the lookup one point read, and
/// the secret is 256 random bits in base64url (43 characters, no padding). Only the SHA-256 hash of the
/// secret is stored.
/// </summary>
public static partial class ApiKeys
{
    public const int SecretBytes = 32;

    /// <summary>Base64url of <see cref="SecretBytes"/> bytes without padding.</summary>
    public const int SecretLength = 43;

    /// <summary>The client id of the key from configuration (<c>Auth:BootstrapOperatorKey</c>); no stored client may take it.</summary>
    public const string BootstrapOperatorClientId = "bootstrap-operator";

    private const char Separator = '.';

    /// <summary>A dotless id (<see cref="Ids.IsDotlessId"/>): never a dot, so the first dot of a key ends the client id.</summary>
    public static bool IsValidClientId([NotNullWhen(true)] string? clientId) => Ids.IsDotlessId(clientId);

    public static IssuedApiKey Issue(string clientId)
    {
        if (!IsValidClientId(clientId))
        {
            throw new ArgumentException($"A client id is {Ids.DotlessRule}.", nameof(clientId));
        }

        Span<byte> secretBytes = stackalloc byte[SecretBytes];
        RandomNumberGenerator.Fill(secretBytes);
        var secret = Base64Url.EncodeToString(secretBytes);
        return new IssuedApiKey($"{clientId}{Separator}{secret}", HashSecret(secret));
    }

    /// <summary>Splits a presented key; false for anything that is not a well-formed key, before any storage is asked.</summary>
    public static bool TryParse(string? key, [NotNullWhen(true)] out ParsedApiKey? parsed)
    {
        parsed = null;
        if (key is null || key.Length > Ids.MaxLength + 1 + SecretLength)
        {
            return false;
        }

        var separator = key.IndexOf(Separator, StringComparison.Ordinal);
        if (separator < 0)
        {
            return false;
        }

        var clientId = key[..separator];
        var secret = key[(separator + 1)..];
        if (!IsValidClientId(clientId) || !SecretPattern().IsMatch(secret))
        {
            return false;
        }

        parsed = new ParsedApiKey(clientId, secret);
        return true;
    }

    /// <summary>
    /// SHA-256 of the secret's text. A fast, unsalted hash is right here, unlike for passwords: the secret
    /// is 256 random bits, so neither a dictionary nor brute force over the hash can find it, and a slow
    /// hash would only make every request slower. Hashing the text rather than the decoded bytes means
    /// that any change of any character, even in the last one's unused bits, changes the hash.
    /// </summary>
    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Compares in constant time, so the time taken says nothing about how much of the hash matched.</summary>
    public static bool SecretMatches(string secret, ReadOnlySpan<byte> storedHash) =>
        CryptographicOperations.FixedTimeEquals(HashSecret(secret), storedHash);

    // \z rather than $, which would also match before a trailing newline.
    [GeneratedRegex("^[A-Za-z0-9_-]{43}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();
}
