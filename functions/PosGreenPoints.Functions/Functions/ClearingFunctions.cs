using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using PosGreenPoints.Contracts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Clearing;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Workbooks;

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

            var errors = new Dictionary<string, string[]>();
            var from = SettlementFunctions.QueryDate(request, "from", errors);
            var to = SettlementFunctions.QueryDate(request, "to", errors);
            if (from is { } first && to is { } last)
            {
                if (last < first)
                {
                    errors["to"] = ["must not be before 'from'."];
                }
                else if (last.DayNumber - first.DayNumber + 1 > Limits.MaxClearingListDays)
                {
                    errors["to"] = [$"must be at most {Limits.MaxClearingListDays} days from 'from', both included."];
                }
            }

            if (errors.Count > 0)
            {
                return Problems.Validation(errors);
            }

            return new OkObjectResult(await store.ListAsync(chainId, from!.Value, to!.Value, cancellationToken));
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

            if (SettlementFunctions.FileFormat(request) is not { } format)
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["format"] = [$"must be {SettlementFunctions.CsvFormat} or {SettlementFunctions.XlsxFormat}."] });
            }

            if (format == SettlementFunctions.XlsxFormat)
            {
                if (await workbooks.OpenAsync(chainId, day, cancellationToken) is not { } workbook)
                {
                    return Problems.NotFound("This day is not cleared yet.");
                }

                request.HttpContext.Response.ContentLength = workbook.Length;
                return new FileStreamResult(workbook.Content, CsvWorkbook.ContentType)
                {
                    FileDownloadName = ClearingWorkbooks.FileName(chainId, day),
                    EntityTag = new EntityTagHeaderValue(workbook.ETag.ToString("H")),
                };
            }

            if (await store.OpenFileAsync(chainId, day, cancellationToken) is not { } download)
            {
                return Problems.NotFound("This day is not cleared yet.");
            }

            request.HttpContext.Response.Headers[SettlementFunctions.Sha256Header] = download.Manifest.File.Sha256;
            request.HttpContext.Response.ContentLength = download.Length;
            return new FileStreamResult(download.Content, "text/csv; charset=utf-8")
            {
                FileDownloadName = download.Manifest.File.Name,
                EntityTag = new EntityTagHeaderValue(download.ETag.ToString("H")),
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
            if (!SettlementFunctions.TryParseDate(date, out var day))
            {
                return InvalidDate();
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
            if (!SettlementFunctions.TryParseDate(date, out var day))
            {
                return InvalidDate();
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

        return SettlementFunctions.TryParseDate(date, out var day) ? (null, day) : (InvalidDate(), default);
    }

    /// <summary>A chain key asking for a chain outside its scope gets the same 404 as for a chain that does not exist.</summary>
    private async Task<bool> IsVisibleAsync(Caller caller, string chainId, CancellationToken cancellationToken) =>
        caller.CanAccessChain(chainId) && await chains.GetAsync(chainId, cancellationToken) is not null;

    private static ObjectResult InvalidDate() =>
        Problems.Validation(new Dictionary<string, string[]> { ["date"] = ["must be a date YYYY-MM-DD."] });
}
