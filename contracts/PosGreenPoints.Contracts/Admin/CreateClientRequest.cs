namespace PosGreenPoints.Contracts.Admin;

/// <summary>The body of <c>POST /api/v1/admin/clients</c>.</summary>
/// <param name="ClientId">1–64 characters of <c>[A-Za-z0-9_-]</c>; never reused, even after revocation.</param>
/// <param name="Role"><c>pos</c>, <c>chain</c>, <c>app</c> or <c>operator</c> (see <see cref="ClientRoles"/>).</param>
/// <param name="Chains">The registered chains in the client's scope: at least one for <c>pos</c> and <c>chain</c>; none for <c>operator</c>, who has every chain, nor for <c>app</c>, whose reads are not a chain's.</param>
public sealed record CreateClientRequest(string ClientId, string Role, IReadOnlyList<string>? Chains = null);

/// <summary>The role names of the wire.</summary>
public static class ClientRoles
{
    public const string Pos = "pos";
    public const string Chain = "chain";

    /// <summary>The scheme's consumer app backend (wallet.md): reads any member's points.</summary>
    public const string App = "app";
    public const string Operator = "operator";
}
