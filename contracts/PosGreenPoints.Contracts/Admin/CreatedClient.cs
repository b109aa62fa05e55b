namespace PosGreenPoints.Contracts.Admin;

/// <summary>The answer to <c>POST /api/v1/admin/clients</c>: the only time the key is shown.</summary>
/// <param name="ApiKey">Send it as the <c>X-Api-Key</c> header. Only its hash is kept, so a lost key cannot be shown again: revoke the client and create another.</param>
public sealed record CreatedClient(string ClientId, string Role, IReadOnlyList<string> Chains, string ApiKey)
{
    // A record prints every property; the key must never reach a log that way.
    public override string ToString() => $"{nameof(CreatedClient)} {{ {nameof(ClientId)} = {ClientId}, {nameof(Role)} = {Role} }}";
}
