using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// Serves the app's HTTP triggers on Kestrel: the host's route prefix and route templates, each function
/// for its methods only (a request another function's route matches with another method goes on to the
/// next route that matches, as on the host, where a route's methods are a route constraint), the real
/// <see cref="HttpRequest"/>, and the returned <see cref="IActionResult"/> or <see cref="IResult"/>
/// executed against the response. What no function serves is the runner's 404 problem, as the host's own
/// 404 (an empty one); a function that throws, its 500 problem, where the host answers an empty 500.
/// </summary>
public static class HttpTriggers
{
    public static IReadOnlyList<string> Map(WebApplication web, FunctionApp app)
    {
        var routes = new List<string>();
        var functions = app.Functions
            .Where(function => function.Trigger.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase))
            .Select(function => new FunctionInvoker(app, function));

        foreach (var invoker in functions)
        {
            var template = Template(app.Host.RoutePrefix, invoker.Function);
            var methods = invoker.Function.Trigger.Methods is { Count: > 0 } declared ? declared.Select(method => method.ToUpperInvariant()).ToList() : null;
            var endpoint = methods is null
                ? web.Map(template, context => Serve(context, invoker))
                : web.MapMethods(template, methods, context => Serve(context, invoker));
            endpoint.WithDisplayName(invoker.Function.Name);
            routes.Add($"{invoker.Function.Name}: [{string.Join(",", methods ?? ["*"])}] /{template}");
        }

        // Last of all routes and for every method, so that a method no function declares is a 404 as on the
        // host, rather than endpoint routing's 405.
        web.Map("{**path}", context => context.RequestServices.GetRequiredService<RunnerProblems>()
                .WriteAsync(context, StatusCodes.Status404NotFound, "Not found.", "No function serves this path with this method."))
            .WithOrder(int.MaxValue)
            .WithDisplayName("runner: no function");
        return routes;
    }

    private static string Template(string routePrefix, FunctionMetadata function)
    {
        var route = (function.Trigger.Route ?? function.Name).Trim('/');
        var prefix = routePrefix.Trim('/');
        return prefix.Length == 0 ? route : $"{prefix}/{route}";
    }

    private static async Task Serve(HttpContext context, FunctionInvoker invoker)
    {
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
        catch (BadHttpRequestException refusal) when (!context.Response.HasStarted)
        {
            // Kestrel's verdict on the body the function read (over the size limit, too slow, broken
            // chunking): the client's fault, answered with Kestrel's status rather than as the function's failure.
            logger.LogInformation("Executed '{Function}' (Refused body, Status={Status}): {Reason}", invoker.Function.Name, refusal.StatusCode, refusal.Message);
            context.Response.Clear();
            await context.RequestServices.GetRequiredService<RunnerProblems>().WriteAsync(
                context, refusal.StatusCode, "The request body could not be read.", "The server refused the request body.");
        }
        catch (Exception failure) when (!context.RequestAborted.IsCancellationRequested)
        {
            // As the host does: the caller learns only that the function failed, never why.
            logger.LogError(failure, "Executed '{Function}' (Failed, Duration={Duration}ms)",
                invoker.Function.Name, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await context.RequestServices.GetRequiredService<RunnerProblems>().WriteAsync(
                    context, StatusCodes.Status500InternalServerError, "The function failed.", "The failure is logged; the answer does not say why.");
            }
        }
    }
}
