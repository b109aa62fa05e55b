using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// Serves the app's HTTP triggers on Kestrel: the host's route prefix and route templates, the
/// function's methods (a known route asked with another method is a 404, as the Functions host
/// answers), the real <see cref="HttpRequest"/>, and the returned <see cref="IActionResult"/> or
/// <see cref="IResult"/> executed against the response.
/// </summary>
public static class HttpTriggers
{
    public static IReadOnlyList<string> Map(WebApplication web, FunctionApp app)
    {
        var routes = new List<string>();
        var byTemplate = app.Functions
            .Where(function => function.Trigger.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase))
            .Select(function => new FunctionInvoker(app, function))
            .GroupBy(invoker => Template(app.Host.RoutePrefix, invoker.Function), StringComparer.OrdinalIgnoreCase);

        foreach (var group in byTemplate)
        {
            var invokers = group.ToList();
            web.Map(group.Key, context => Serve(context, invokers));
            routes.AddRange(invokers.Select(invoker =>
                $"{invoker.Function.Name}: [{string.Join(",", invoker.Function.Trigger.Methods ?? ["*"]).ToUpperInvariant()}] /{group.Key}"));
        }

        return routes;
    }

    private static string Template(string routePrefix, FunctionMetadata function)
    {
        var route = (function.Trigger.Route ?? function.Name).Trim('/');
        var prefix = routePrefix.Trim('/');
        return prefix.Length == 0 ? route : $"{prefix}/{route}";
    }

    private static async Task Serve(HttpContext context, IReadOnlyList<FunctionInvoker> invokers)
    {
        var invoker = invokers.FirstOrDefault(candidate =>
            candidate.Function.Trigger.Methods is not { Count: > 0 } methods
            || methods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase));
        if (invoker is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + invoker.Function.Name);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var bindingData = context.Request.RouteValues.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
            var result = await invoker.InvokeAsync(
                context.RequestServices,
                type => type.IsInstanceOfType(context.Request) ? context.Request : throw new RunnerStartupException($"Function {invoker.Function.Name}: an HTTP trigger parameter must be an HttpRequest."),
                bindingData,
                context.RequestAborted);

            switch (result)
            {
                case IActionResult actionResult:
                    await actionResult.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                    break;
                case IResult httpResult:
                    await httpResult.ExecuteAsync(context);
                    break;
            }

            logger.LogInformation("Executed '{Function}' (Succeeded, Status={Status}, Duration={Duration}ms)",
                invoker.Function.Name, context.Response.StatusCode, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception failure) when (!context.RequestAborted.IsCancellationRequested)
        {
            // As the host does: the caller learns only that the function failed, never why.
            logger.LogError(failure, "Executed '{Function}' (Failed, Duration={Duration}ms)",
                invoker.Function.Name, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }
}
