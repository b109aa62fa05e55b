using System.Collections.Frozen;
using PosGreenPoints.Functions.Functions;

namespace PosGreenPoints.Functions.Infrastructure.Auth;

/// <summary>Who may call one operation.</summary>
/// <param name="Operation">The function's name, which is also its <c>operationId</c> in the OpenAPI document.</param>
/// <param name="Roles">The roles whose keys may call it; none for an operation that needs no key.</param>
/// <param name="ChainScoped">
/// A <c>pos</c> or <c>chain</c> key reaches only the chains in its scope, and a read of another chain's
/// object answers as for an absent one. The function checks this itself, as only it knows the chain of the
/// object asked for; an <c>operator</c> has every chain, an <c>app</c> none.
/// </param>
/// <param name="MemberScoped">
/// A <c>pos</c> or <c>chain</c> key reads only members with a posting at one of its chains, and of other
/// chains' entries only kind, points, date and chain (wallet.md); the wallet reads check this.
/// </param>
public sealed record Access(string Operation, IReadOnlySet<Role> Roles, bool ChainScoped, bool MemberScoped = false)
{
    public bool IsAnonymous => Roles.Count == 0;
}

/// <summary>
/// Who may call what (api.md, "Authentication and authorisation"; wallet.md, "Who may read a member"):
/// every HTTP function of the app, in one table. <see cref="Http.ApiGate"/> refuses a role not listed
/// here; the OpenAPI document's role sentences are generated from it, and unit tests keep it one to one
/// with the app's HTTP functions and equal to the matrix in docs/operations.md.
/// </summary>
public static class AccessPolicy
{
    public static readonly Access PostReceipt = Scoped(nameof(PostReceipt), Role.Pos, Role.Operator);
    public static readonly Access PostReceiptBatch = Scoped(nameof(PostReceiptBatch), Role.Pos, Role.Operator);
    public static readonly Access GetReceipt = Scoped(nameof(GetReceipt), Role.Pos, Role.Chain, Role.Operator);

    // activities.md: pos (own chains) and operator post; reads as for receipts.
    public static readonly Access PostActivity = Scoped(nameof(PostActivity), Role.Pos, Role.Operator);
    public static readonly Access PostActivityBatch = Scoped(nameof(PostActivityBatch), Role.Pos, Role.Operator);
    public static readonly Access GetActivity = Scoped(nameof(GetActivity), Role.Pos, Role.Chain, Role.Operator);

    // Member ids are scheme-wide, not a chain's. wallet.md narrows pos and chain keys to members with a
    // posting at one of their chains, and redacts other chains' entries: WalletReads does that, as only
    // the wallet knows its chains.
    public static readonly Access GetMemberPoints = MemberReads(nameof(GetMemberPoints));
    public static readonly Access GetMemberStatement = MemberReads(nameof(GetMemberStatement));
    public static readonly Access GetMemberLots = MemberReads(nameof(GetMemberLots));

    // redemption.md: the app issues codes; a till reads a balance by code and redeems at its own chains.
    public static readonly Access IssueMemberCode = AnyChain(nameof(IssueMemberCode), Role.App, Role.Operator);
    public static readonly Access GetMemberPointsByCode = AnyChain(nameof(GetMemberPointsByCode), Role.Pos);
    public static readonly Access ReserveRedemption = Scoped(nameof(ReserveRedemption), Role.Pos, Role.Operator);
    public static readonly Access CommitRedemption = Scoped(nameof(CommitRedemption), Role.Pos, Role.Operator);
    public static readonly Access CancelRedemption = Scoped(nameof(CancelRedemption), Role.Pos, Role.Operator);
    public static readonly Access RefundRedemption = Scoped(nameof(RefundRedemption), Role.Pos, Role.Operator);
    public static readonly Access GetRedemption = Scoped(nameof(GetRedemption), Role.Pos, Role.Chain, Role.Operator);

    public static readonly Access ListSettlements = Scoped(nameof(ListSettlements), Role.Chain, Role.Operator);
    public static readonly Access GetSettlement = Scoped(nameof(GetSettlement), Role.Chain, Role.Operator);
    public static readonly Access GetSettlementFile = Scoped(nameof(GetSettlementFile), Role.Chain, Role.Operator);

    public static readonly Access ListClearing = Scoped(nameof(ListClearing), Role.Chain, Role.Operator);
    public static readonly Access GetClearing = Scoped(nameof(GetClearing), Role.Chain, Role.Operator);
    public static readonly Access GetClearingFile = Scoped(nameof(GetClearingFile), Role.Chain, Role.Operator);

    public static readonly Access AdminPutChain = OperatorOnly(nameof(AdminPutChain));
    public static readonly Access AdminCreateClient = OperatorOnly(nameof(AdminCreateClient));
    public static readonly Access AdminRevokeClient = OperatorOnly(nameof(AdminRevokeClient));
    public static readonly Access AdminListProductLists = OperatorOnly(nameof(AdminListProductLists));
    public static readonly Access AdminPutProductList = OperatorOnly(nameof(AdminPutProductList));
    public static readonly Access AdminCreateProductListUpload = OperatorOnly(nameof(AdminCreateProductListUpload));
    public static readonly Access AdminPublishProductList = OperatorOnly(nameof(AdminPublishProductList));
    public static readonly Access AdminRunSettlement = OperatorOnly(nameof(AdminRunSettlement));
    public static readonly Access AdminGetPoison = OperatorOnly(nameof(AdminGetPoison));
    public static readonly Access AdminReplayPoison = OperatorOnly(nameof(AdminReplayPoison));
    public static readonly Access AdminMigrateWallets = OperatorOnly(nameof(AdminMigrateWallets));
    public static readonly Access AdminPostAdjustment = OperatorOnly(nameof(AdminPostAdjustment));
    public static readonly Access AdminGetClearingReport = OperatorOnly(nameof(AdminGetClearingReport));
    public static readonly Access AdminRunClearing = OperatorOnly(nameof(AdminRunClearing));

    public static readonly Access Health = Anonymous(nameof(Health));
    public static readonly Access GetOpenApiDocument = Anonymous(nameof(GetOpenApiDocument));

    /// <summary>Not an operation: the 404 or 405 problem for whatever no operation serves.</summary>
    public static readonly Access RouteFallback = Anonymous(RouteFallbackFunction.Name);

    /// <summary>The whole table, in the order of api.md. Declared last: static fields initialise in order.</summary>
    public static IReadOnlyList<Access> All { get; } =
    [
        PostReceipt, PostReceiptBatch, GetReceipt,
        PostActivity, PostActivityBatch, GetActivity,
        GetMemberPoints, GetMemberStatement, GetMemberLots,
        IssueMemberCode, GetMemberPointsByCode,
        ReserveRedemption, CommitRedemption, CancelRedemption, RefundRedemption, GetRedemption,
        ListSettlements, GetSettlement, GetSettlementFile,
        ListClearing, GetClearing, GetClearingFile,
        AdminPutChain, AdminCreateClient, AdminRevokeClient,
        AdminListProductLists, AdminPutProductList, AdminCreateProductListUpload, AdminPublishProductList,
        AdminRunSettlement, AdminGetPoison, AdminReplayPoison, AdminMigrateWallets, AdminPostAdjustment,
        AdminGetClearingReport, AdminRunClearing,
        Health, GetOpenApiDocument, RouteFallback,
    ];

    /// <summary>The policy of the function named <paramref name="operation"/>, or <c>null</c> when the table has none.</summary>
    public static Access? Find(string operation) => All.FirstOrDefault(access => access.Operation == operation);

    private static Access Scoped(string operation, params Role[] roles) => new(operation, roles.ToFrozenSet(), ChainScoped: true);

    private static Access AnyChain(string operation, params Role[] roles) => new(operation, roles.ToFrozenSet(), ChainScoped: false);

    private static Access MemberReads(string operation) =>
        new(operation, new[] { Role.Pos, Role.Chain, Role.App, Role.Operator }.ToFrozenSet(), ChainScoped: false, MemberScoped: true);

    private static Access OperatorOnly(string operation) => AnyChain(operation, Role.Operator);

    private static Access Anonymous(string operation) => AnyChain(operation);
}
