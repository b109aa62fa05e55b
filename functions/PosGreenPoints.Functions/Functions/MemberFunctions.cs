using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Functions;

/// <summary>A member's wallet (wallet.md): balance, statement, lots; and the expiry timer.</summary>
public sealed class MemberFunctions(ApiGate gate, WalletReads wallets, WalletExpiry expiry, MemberStore store, PointsRules rules)
{
    /// <summary>A member's balance at one instant; 404 for a member with no posting, or none the caller may see.</summary>
    [Function("GetMemberPoints")]
    public Task<IActionResult> GetMemberPoints(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/members/{memberId}/points")] HttpRequest request,
        string memberId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetMemberPoints, async caller =>
            InvalidMemberId(memberId) ?? Found(await wallets.BalanceAsync(memberId, caller, cancellationToken)), cancellationToken);

    [Function("GetMemberLots")]
    public Task<IActionResult> GetMemberLots(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/members/{memberId}/lots")] HttpRequest request,
        string memberId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetMemberLots, async caller =>
            InvalidMemberId(memberId) ?? Found(await wallets.LotsAsync(memberId, caller, cancellationToken)), cancellationToken);

    [Function("GetMemberStatement")]
    public Task<IActionResult> GetMemberStatement(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/members/{memberId}/statement")] HttpRequest request,
        string memberId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetMemberStatement, async caller =>
        {
            if (InvalidMemberId(memberId) is { } invalid)
            {
                return invalid;
            }

            var errors = new Dictionary<string, string[]>();
            var from = Instant(request, "from", endOfDay: false, errors);
            var to = Instant(request, "to", endOfDay: true, errors);
            if (from > to)
            {
                errors["from"] = ["must not be after to."];
            }

            if (errors.Count > 0)
            {
                return Problems.Validation(errors);
            }

            var (page, error) = await wallets.StatementAsync(memberId, caller, new StatementQuery(from, to, request.Query["continuation"].FirstOrDefault()), cancellationToken);
            return error is not null ? Problems.Validation(new Dictionary<string, string[]> { [error.Parameter] = [error.Message] }) : Found(page);
        }, cancellationToken);

    /// <summary>Expires due lots (wallet.md); the schedule is the app setting <see cref="WalletExpiry.ScheduleSetting"/>.</summary>
    [Function("ExpireLots")]
    public Task ExpireLots([TimerTrigger("%" + WalletExpiry.ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        expiry.RunAsync(WalletDue.Expiry, cancellationToken);

    /// <summary>Moves every balance posted before wallets existed into lots; idempotent (wallet.md, "Existing members" in docs/operations.md).</summary>
    [Function("AdminMigrateWallets")]
    public Task<IActionResult> MigrateWallets(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/wallets/migrate")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminMigrateWallets, async _ =>
            new OkObjectResult(new WalletMigrationResult(await store.MigrateAllAsync(cancellationToken))), cancellationToken);

    private static IActionResult Found(object? view) => view is null ? Problems.NotFound("There is no such member, or none with a posting at this key's chains.") : new OkObjectResult(view);

    private static ObjectResult? InvalidMemberId(string memberId) =>
        Ids.IsDotlessId(memberId) ? null : Problems.Validation(new Dictionary<string, string[]> { ["memberId"] = [$"must be {Ids.DotlessRule}."] });

    /// <summary>A date (YYYY-MM-DD, a whole day in the scheme's zone) or an RFC 3339 instant with an offset.</summary>
    private DateTimeOffset? Instant(HttpRequest request, string name, bool endOfDay, Dictionary<string, string[]> errors)
    {
        if (request.Query[name].FirstOrDefault() is not { Length: > 0 } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var zone = rules.Wallet.Zone;
            return endOfDay ? Admin.ChainCalendar.EndOf(date, zone).AddTicks(-1) : Admin.ChainCalendar.EndOf(date.AddDays(-1), zone);
        }

        if (text.Length > 10 && (text.EndsWith('Z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return instant;
        }

        errors[name] = ["must be a date (YYYY-MM-DD) or an RFC 3339 instant with an offset."];
        return null;
    }
}
