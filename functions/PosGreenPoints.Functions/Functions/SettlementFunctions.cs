using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using PosGreenPoints.Contracts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Functions;

/// <summary>Settlement files: the nightly timer, the chains' downloads and the operator's re-run (api.md, "Settlements").</summary>
public sealed class SettlementFunctions(ApiGate gate, ChainRegistry chains, SettlementStore store, SettlementWriter writer, SettlementWorkbooks workbooks, DailySettlement daily)
{
    public const string Sha256Header = "X-Content-SHA256";
    public const string CsvFormat = "csv";
    public const string XlsxFormat = "xlsx";

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

            var errors = new Dictionary<string, string[]>();
            var from = QueryDate(request, "from", errors);
            var to = QueryDate(request, "to", errors);
            if (from is { } first && to is { } last)
            {
                if (last < first)
                {
                    errors["to"] = ["must not be before 'from'."];
                }
                else if (last.DayNumber - first.DayNumber + 1 > Limits.MaxSettlementListDays)
                {
                    errors["to"] = [$"must be at most {Limits.MaxSettlementListDays} days from 'from', both included."];
                }
            }

            if (errors.Count > 0)
            {
                return Problems.Validation(errors);
            }

            return new OkObjectResult(await store.ListAsync(chainId, from!.Value, to!.Value, cancellationToken));
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

            if (FileFormat(request) is not { } format)
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["format"] = [$"must be {CsvFormat} or {XlsxFormat}."] });
            }

            if (format == XlsxFormat)
            {
                if (await workbooks.OpenAsync(chainId, postingDate, cancellationToken) is not { } workbook)
                {
                    return Problems.NotFound("This day is not settled yet.");
                }

                request.HttpContext.Response.ContentLength = workbook.Length;
                return new FileStreamResult(workbook.Content, CsvWorkbook.ContentType)
                {
                    FileDownloadName = SettlementWorkbooks.FileName(chainId, postingDate),
                    EntityTag = new EntityTagHeaderValue(workbook.ETag.ToString("H")),
                };
            }

            if (await store.OpenFileAsync(chainId, postingDate, cancellationToken) is not { } download)
            {
                return Problems.NotFound("This day is not settled yet.");
            }

            request.HttpContext.Response.Headers[Sha256Header] = download.Manifest.File.Sha256;
            request.HttpContext.Response.ContentLength = download.Length;
            return new FileStreamResult(download.Content, "text/csv; charset=utf-8")
            {
                FileDownloadName = download.Manifest.File.Name,
                EntityTag = new EntityTagHeaderValue(download.ETag.ToString("H")),
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
            if (!TryParseDate(date, out var postingDate))
            {
                return InvalidDate();
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

        return TryParseDate(date, out var day) ? (null, day) : (InvalidDate(), default);
    }

    /// <summary>A chain key asking for a chain outside its scope gets the same 404 as for a chain that does not exist.</summary>
    private async Task<bool> IsVisibleAsync(Caller caller, string chainId, CancellationToken cancellationToken) =>
        caller.CanAccessChain(chainId) && await chains.GetAsync(chainId, cancellationToken) is not null;

    /// <summary>
    /// <c>csv</c> or <c>xlsx</c>: the <c>format</c> query parameter when given (one value, exactly one of the two);
    /// else <c>xlsx</c> when Accept prefers the workbook's media type to <c>text/csv</c>, else <c>csv</c>, the
    /// reference (a client that accepts both alike, as the generated one does, gets the CSV); <c>null</c> for any other format.
    /// </summary>
    internal static string? FileFormat(HttpRequest request)
    {
        var values = request.Query["format"];
        if (values.Count > 0)
        {
            return values.Count == 1 && values[0] is CsvFormat or XlsxFormat ? values[0] : null;
        }

        var accept = request.GetTypedHeaders().Accept;
        double Quality(params string[] mediaTypes) => accept
            .Where(value => mediaTypes.Any(type => value.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase)))
            .Select(value => value.Quality ?? 1)
            .DefaultIfEmpty(-1)
            .Max();

        var workbook = Quality(CsvWorkbook.ContentType);
        return workbook > 0 && workbook > Quality("text/csv", "text/*") ? XlsxFormat : CsvFormat;
    }

    internal static DateOnly? QueryDate(HttpRequest request, string name, Dictionary<string, string[]> errors)
    {
        var values = request.Query[name];
        if (values.Count == 1 && TryParseDate(values[0], out var date))
        {
            return date;
        }

        errors[name] = values.Count == 0 ? ["is required (YYYY-MM-DD)."] : ["must be one date YYYY-MM-DD."];
        return null;
    }

    internal static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static ObjectResult InvalidDate() =>
        Problems.Validation(new Dictionary<string, string[]> { ["date"] = ["must be a date YYYY-MM-DD."] });
}
