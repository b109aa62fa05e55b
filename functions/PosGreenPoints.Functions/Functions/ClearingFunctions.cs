using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Contracts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Clearing;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;

namespace PosGreenPoints.Functions.Functions;

/// <summary>Clearing between chains: the nightly timer, the chains' manifests and files, the operator's report and re-run (clearing.md).</summary>
public sealed class ClearingFunctions(ApiGate gate, ChainRegistry chains, ClearingStore store, ClearingWriter writer, ClearingWorkbooks workbooks, DailyClearing daily)
{
    [Function("ClearYesterday")]
    public Task ClearYesterday([TimerTrigger("%" + ClearingOptions.ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        daily.RunAsync(cancellationToken);

    [Function("ListClearing")]
    public Task<IActionResult> ListClearing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/clearing/{chainId}")] HttpRequest request,
        string chainId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.ListClearing, async caller =>
        {
            if (!await IsVisibleAsync(caller, chainId, cancellationToken))
            {
                return Problems.NotFound();
            }

            var (refused, from, to) = DayFiles.Range(request, Limits.MaxClearingListDays);
            if (refused is not null)
            {
                return refused;
            }

            return new OkObjectResult(await store.ListAsync(chainId, from, to, cancellationToken));
        }, cancellationToken);

    [Function("GetClearing")]
    public Task<IActionResult> GetClearing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/clearing/{chainId}/{date}")] HttpRequest request,
        string chainId,
        string date,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetClearing, async caller =>
        {
            var (refused, day) = await ReadableDayAsync(caller, chainId, date, cancellationToken);
            if (refused is not null)
            {
                return refused;
            }

            return await store.GetManifestAsync(chainId, day, cancellationToken) is { } manifest
                ? new OkObjectResult(manifest)
                : Problems.NotFound("This day is not cleared yet.");
        }, cancellationToken);

    /// <summary>The CSV streamed from its blob, or its workbook with <c>?format=xlsx</c>, as settlement files are served.</summary>
    [Function("GetClearingFile")]
    public Task<IActionResult> GetClearingFile(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/clearing/{chainId}/{date}/file")] HttpRequest request,
        string chainId,
        string date,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetClearingFile, async caller =>
        {
            var (refused, day) = await ReadableDayAsync(caller, chainId, date, cancellationToken);
            if (refused is not null)
            {
                return refused;
            }

            return DayFiles.FileFormat(request) switch
            {
                DayFiles.XlsxFormat => DayFiles.Download(request, await workbooks.OpenAsync(chainId, day, cancellationToken), "This day is not cleared yet."),
                DayFiles.CsvFormat => DayFiles.Download(request, await store.OpenFileAsync(chainId, day, cancellationToken), "This day is not cleared yet."),
                _ => DayFiles.UnknownFormat(),
            };
        }, cancellationToken);

    /// <summary>The scheme's report of a cleared day: every chain's net, summing to exactly 0.00.</summary>
    [Function("AdminGetClearingReport")]
    public Task<IActionResult> AdminGetClearingReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/admin/clearing/{date}")] HttpRequest request,
        string date,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminGetClearingReport, async _ =>
        {
            if (!DayFiles.TryParseDate(date, out var day))
            {
                return DayFiles.InvalidDate();
            }

            return await store.GetReportAsync(day, cancellationToken) is { } report
                ? new OkObjectResult(report)
                : Problems.NotFound("This day is not cleared yet.");
        }, cancellationToken);

    /// <summary>Clears one day now: 200 with the report whether this run completed the day or found it cleared with the same bytes.</summary>
    [Function("AdminRunClearing")]
    public Task<IActionResult> AdminRunClearing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/clearing/{date}/run")] HttpRequest request,
        string date,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminRunClearing, async _ =>
        {
            if (!DayFiles.TryParseDate(date, out var day))
            {
                return DayFiles.InvalidDate();
            }

            return await writer.ClearAsync(day, cancellationToken) switch
            {
                ClearingOutcome.Published published => new OkObjectResult(published.Report),
                ClearingOutcome.Unchanged unchanged => new OkObjectResult(unchanged.Report),
                ClearingOutcome.DayOpen open => Problems.Conflict(
                    ProblemTypes.Conflict,
                    "The day is not over.",
                    $"{day:yyyy-MM-dd} can be cleared from {open.ClearableFrom.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)}, when it has ended in {writer.Zone.Id} plus the grace period."),
                ClearingOutcome.Diverged diverged => Problems.Conflict(
                    ProblemTypes.Conflict,
                    "Published clearing files differ from the posting log.",
                    $"A cleared day never changes; the published files of {diverged.ChainIds.Count} chains stay. This is logged for the operators."),
                _ => throw new InvalidOperationException("Unknown clearing outcome."),
            };
        }, cancellationToken);

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
