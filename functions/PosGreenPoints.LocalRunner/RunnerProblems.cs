using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// The runner's own error answers (no function matched, a function threw, Kestrel refused a request) as
/// RFC 9457 problem details. The runner serves any app, so it knows no problem types of its own: it
/// leaves <c>type</c> to the app's <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/> when the
/// app registered one (<c>AddProblemDetails</c>), and to <c>about:blank</c> otherwise.
/// </summary>
public sealed class RunnerProblems(IServiceProvider services)
{
    public const string ContentType = "application/problem+json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public byte[] Body(int status, string title, string? detail = null, HttpContext? context = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        var customize = services.GetService<IOptions<ProblemDetailsOptions>>()?.Value.CustomizeProblemDetails;
        if (customize is not null)
        {
            customize(new ProblemDetailsContext { HttpContext = context ?? new DefaultHttpContext { RequestServices = services }, ProblemDetails = problem });
        }

        problem.Type ??= "about:blank";
        return JsonSerializer.SerializeToUtf8Bytes(problem, Json);
    }

    public async Task WriteAsync(HttpContext context, int status, string title, string? detail = null)
    {
        var body = Body(status, title, detail, context);
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
