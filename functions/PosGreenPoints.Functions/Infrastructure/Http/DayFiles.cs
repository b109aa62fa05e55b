using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Infrastructure.Http;

/// <summary>
/// What the published-day endpoints of settlement and clearing (api.md, "Settlements"; clearing.md, "API") read
/// from a request and answer alike: dates, the <c>from</c>/<c>to</c> range of a listing, the file's format, and
/// the file streamed with its entity tag (a conditional GET is answered 304 by the result) and, for the CSV, its hash.
/// </summary>
public static class DayFiles
{
    public const string Sha256Header = "X-Content-SHA256";
    public const string CsvFormat = "csv";
    public const string XlsxFormat = "xlsx";

    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static ObjectResult InvalidDate() =>
        Problems.Validation(new Dictionary<string, string[]> { ["date"] = ["must be a date YYYY-MM-DD."] });

    /// <returns>The listing's days, both included, or the 400 for a missing, malformed, reversed or longer range.</returns>
    public static (IActionResult? Refused, DateOnly From, DateOnly To) Range(HttpRequest request, int maxDays)
    {
        var errors = new Dictionary<string, string[]>();
        var from = QueryDate(request, "from", errors);
        var to = QueryDate(request, "to", errors);
        if (from is { } first && to is { } last)
        {
            if (last < first)
            {
                errors["to"] = ["must not be before 'from'."];
            }
            else if (last.DayNumber - first.DayNumber + 1 > maxDays)
            {
                errors["to"] = [$"must be at most {maxDays} days from 'from', both included."];
            }
        }

        return errors.Count > 0 ? (Problems.Validation(errors), default, default) : (null, from!.Value, to!.Value);
    }

    /// <summary>
    /// <c>csv</c> or <c>xlsx</c>: the <c>format</c> query parameter when given (one value, exactly one of the two);
    /// else <c>xlsx</c> when Accept prefers the workbook's media type to <c>text/csv</c>, else <c>csv</c>, the
    /// reference (a client that accepts both alike, as the generated one does, gets the CSV); <c>null</c> for any other format.
    /// </summary>
    public static string? FileFormat(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
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

    public static ObjectResult UnknownFormat() =>
        Problems.Validation(new Dictionary<string, string[]> { ["format"] = [$"must be {CsvFormat} or {XlsxFormat}."] });

    /// <summary>
    /// The file streamed as an attachment, never held in memory, with its length, its blob's entity tag and
    /// (for the CSV) <c>X-Content-SHA256</c>; or 404 <paramref name="notYet"/> when it is not published.
    /// </summary>
    public static IActionResult Download(HttpRequest request, PublishedFile? file, string notYet)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (file is null)
        {
            return Problems.NotFound(notYet);
        }

        if (file.Sha256 is { } sha256)
        {
            request.HttpContext.Response.Headers[Sha256Header] = sha256;
        }

        request.HttpContext.Response.ContentLength = file.Length;
        return new FileStreamResult(file.Content, file.ContentType)
        {
            FileDownloadName = file.FileName,
            EntityTag = new EntityTagHeaderValue(file.ETag.ToString("H")),
        };
    }

    private static DateOnly? QueryDate(HttpRequest request, string name, Dictionary<string, string[]> errors)
    {
        var values = request.Query[name];
        if (values.Count == 1 && TryParseDate(values[0], out var date))
        {
            return date;
        }

        errors[name] = values.Count == 0 ? ["is required (YYYY-MM-DD)."] : ["must be one date YYYY-MM-DD."];
        return null;
    }
}
