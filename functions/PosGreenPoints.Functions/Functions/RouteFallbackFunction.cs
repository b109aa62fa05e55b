using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Functions.Infrastructure.Http;

namespace PosGreenPoints.Functions.Functions;

/// <summary>
/// The answer to a request no other function serves: under the Functions host such a request never
/// reaches the worker, and the host answers an empty 404, so the API's "every error is a problem" needs a
/// function of its own. It is 404 <c>not-found</c> for a path no operation has, and 405
/// <c>method-not-allowed</c> with <c>Allow</c> for a path another function serves with other methods (the
/// host tries a function's route with its methods as a constraint and goes on to the next route).
/// <para>
/// The host tries routes in the order of the functions' names, not by route precedence
/// (azure-functions-host issue 9876), so this function's name sorts after every other (a unit test keeps
/// it so); the local runner orders routes by precedence, where a catch-all comes last anyway.
/// </para>
/// </summary>
public sealed class RouteFallbackFunction
{
    public const string Name = "zzRouteFallback";

    // The app's own routes, read once from its function attributes: what functions.metadata is made from.
    private static readonly Lazy<List<(TemplateMatcher Matcher, IReadOnlyList<string> Methods)>> Routes = new(ReadRoutes);

    [Function(Name)]
    public static IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = "{*path}")] HttpRequest request,
        string? path)
    {
        ArgumentNullException.ThrowIfNull(request);
        TransportHeaders.Apply(request.HttpContext.Response, authenticated: false);
        if (TransportHeaders.HasInvalidPath(request))
        {
            return Problems.InvalidPath();
        }

        var allowed = AllowedMethods(path ?? "");
        if (allowed.Count == 0)
        {
            return Problems.RouteNotFound();
        }

        request.HttpContext.Response.Headers.Allow = string.Join(", ", allowed);
        return Problems.MethodNotAllowed(allowed);
    }

    /// <summary>The methods the app's functions serve at <paramref name="path"/> (below the route prefix), upper case, in order.</summary>
    public static IReadOnlyList<string> AllowedMethods(string path)
    {
        var requestPath = new PathString("/" + path.TrimStart('/'));
        return Routes.Value
            .Where(route => route.Matcher.TryMatch(requestPath, new RouteValueDictionary()))
            .SelectMany(route => route.Methods)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static List<(TemplateMatcher Matcher, IReadOnlyList<string> Methods)> ReadRoutes() =>
        LoadableTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Where(method => method.GetCustomAttribute<FunctionAttribute>() is { Name: not Name })
            .SelectMany(method => method.GetParameters().Select(parameter => parameter.GetCustomAttribute<HttpTriggerAttribute>()))
            .OfType<HttpTriggerAttribute>()
            .Where(trigger => trigger.Route is not null)
            .Select(trigger => (
                new TemplateMatcher(TemplateParser.Parse(trigger.Route!), new RouteValueDictionary()),
                (IReadOnlyList<string>)(trigger.Methods ?? []).Select(method => method.ToUpperInvariant()).ToList()))
            .ToList();

    /// <summary>
    /// The assembly's types; those that cannot be loaded (the worker's generated types, whose SDK version
    /// a host may not load) are skipped: they hold no function of the app.
    /// </summary>
    private static IEnumerable<Type> LoadableTypes()
    {
        try
        {
            return typeof(RouteFallbackFunction).Assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            return partial.Types.OfType<Type>();
        }
    }
}
