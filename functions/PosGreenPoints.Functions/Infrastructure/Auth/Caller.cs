namespace PosGreenPoints.Functions.Infrastructure.Auth;

/// <summary>The roles of api.md: what a client may do.</summary>
public enum Role
{
    Pos,
    Chain,

    /// <summary>The scheme's consumer app backend: reads any member, has no chains, posts nothing.</summary>
    App,
    Operator,
}

/// <summary>An authenticated API client: who it is, its role and the chains in its scope.</summary>
public sealed record Caller(string ClientId, Role Role, IReadOnlySet<string> Chains)
{
    /// <summary>Operators see every chain; other roles only the chains they were given.</summary>
    public bool CanAccessChain(string chainId) => Role == Role.Operator || Chains.Contains(chainId);
}
