using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Contracts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Settlement;

namespace PosGreenPoints.Functions.Functions;

/// <summary>Settlement files: the nightly timer, the chains' downloads and the operator's re-run (api.md, "Settlements").</summary>
public sealed class SettlementFunctions(ApiGate gate, ChainRegistry chains, SettlementStore store, SettlementWriter writer, SettlementWorkbooks workbooks, DailySettlement daily)
{
    [Function("SettleYesterday")]
    public Task SettleYesterday([TimerTrigger("%" + SettlementOptions.ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        daily.RunAsync(cancellationToken);

    [Function("ListSettlements")]
    public Task<IActionResult> ListSettlements(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/settlements/{chainId}")] HttpRequest request,
        string chainId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.ListSettlements, async caller =>
        {
            if (!await IsVisibleAsync(caller, chainId, cancellationToken))
            {
                return Problems.NotFound();
            }

            var (refused, from, to) = DayFiles.Range(request, Limits.MaxSettlementListDays);
            if (refused is not null)
            {
                return refused;
            }

            return new OkObjectResult(await store.ListAsync(chainId, from, to, cancellationToken));
        }, cancellationToken);

    [Function("GetSettlement")]
    public Task<IActionResult> GetSettlement(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/settlements/{chainId}/{date}")] HttpRequest request,
        string chainId,
        string date,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetSettlement, async caller =>
        {
            var (refused, postingDate) = await ReadableDayAsync(caller, chainId, date, cancellationToken);
            if (refused is not null)
            {
                return refused;
            }

            return await store.GetManifestAsync(chainId, postingDate, cancellationToken) is { } manifest
                ? new OkObjectResult(manifest)
                : Problems.NotFound("This day is not settled yet.");
        }, cancellationToken);

    /// <summary>
    /// The CSV streamed from its blob, or with <c>?format=xlsx</c> (or that media type in Accept) its workbook,
    /// rendered from the CSV the first time and then streamed from its own blob; neither response is held in memory.
    /// </summary>
    [Function("GetSettlementFile")]
    public Task<IActionResult> GetSettlementFile(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/settlements/{chainId}/{date}/file")] HttpRequest request,
        string chainId,
        string date,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetSettlementFile, async caller =>
        {
            var (refused, postingDate) = await ReadableDayAsync(caller, chainId, date, cancellationToken);
            if (refused is not null)
            {
                return refused;
            }

            return DayFiles.FileFormat(request) switch
            {
                DayFiles.XlsxFormat => DayFiles.Download(request, await workbooks.OpenAsync(chainId, postingDate, cancellationToken), "This day is not settled yet."),
                DayFiles.CsvFormat => DayFiles.Download(request, await store.OpenFileAsync(chainId, postingDate, cancellationToken), "This day is not settled yet."),
                _ => DayFiles.UnknownFormat(),
            };
        }, cancellationToken);

    /// <summary>
    /// Settles one day now. 200 with the manifest whether this run published the day or found it published
    /// with the same bytes (the answer does not depend on which of two racing runs won).
    /// </summary>
    [Function("AdminRunSettlement")]
    public Task<IActionResult> AdminRunSettlement(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/settlements/{chainId}/{date}/run")] HttpRequest request,
        string chainId,
        string date,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminRunSettlement, async _ =>
        {
            if (!DayFiles.TryParseDate(date, out var postingDate))
            {
                return DayFiles.InvalidDate();
            }

            if (await chains.GetAsync(chainId, cancellationToken) is not { } chain)
            {
                return Problems.NotFound("The chain is not registered.");
            }

            if (chain.RegisteredOn is { } first && postingDate < first)
            {
                return Problems.Validation(new Dictionary<string, string[]>
                {
                    ["date"] = [$"must not be before {first:yyyy-MM-dd}, when the chain was registered: no earlier day has anything to settle."],
                });
            }

            return await writer.SettleAsync(chain, postingDate, cancellationToken) switch
            {
                SettlementOutcome.Published published => new OkObjectResult(published.Manifest),
                SettlementOutcome.Unchanged unchanged => new OkObjectResult(unchanged.Manifest),
                SettlementOutcome.DayOpen open => Problems.Conflict(
                    ProblemTypes.Conflict,
                    "The day is not over.",
                    $"{postingDate:yyyy-MM-dd} can be settled from {open.SettleableFrom.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)}, when it has ended in {chain.TimeZone.Id} plus the grace period."),
                SettlementOutcome.Diverged => Problems.Conflict(
                    ProblemTypes.Conflict,
                    "The published settlement differs from the ledger.",
                    "A published settlement day never changes; the published file stays. This is logged for the operators."),
                _ => throw new InvalidOperationException("Unknown settlement outcome."),
            };
        }, cancellationToken);

    /// <summary>The day asked for, or why it cannot be read: a chain the caller cannot see (404) or a date that is not one (400).</summary>
    private async Task<(IActionResult? Refused, DateOnly Day)> ReadableDayAsync(Caller caller, string chainId, string date, CancellationToken cancellationToken)
    {
        if (!await IsVisibleAsync(caller, chainId, cancellationToken))
        {
            return (Problems.NotFound(), default);
        }

        return DayFiles.TryParseDate(date, out var day) ? (null, day) : (DayFiles.InvalidDate(), default);
    }

    /// <summary>A chain key asking for a chain outside its scope gets the same 404 as for a chain that does not exist.</summary>
    private async Task<bool> IsVisibleAsync(Caller caller, string chainId, CancellationToken cancellationToken) =>
        caller.CanAccessChain(chainId) && await chains.GetAsync(chainId, cancellationToken) is not null;

}
