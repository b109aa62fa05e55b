using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Functions.Functions;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Tests.Unit.Infrastructure;

/// <summary>
/// What the Functions host runs that the local runner does not. Under the host, Program.cs builds the
/// worker: ConfigureFunctionsWebApplication (the worker's ASP.NET Core integration: forwarded headers,
/// routing to the function, no app middleware), AddPosGreenPoints, and OpenTelemetry's worker defaults
/// when telemetry is on. The runner calls AddPosGreenPoints alone. So that the two run the same app,
/// Program.cs must hold nothing else: a middleware, a service or an option registered there would be a
/// behaviour only the deployed app has, which no end-to-end test through the runner could see.
/// </summary>
public sealed class HostPipelineTests
{
    /// <summary>Program.cs, statement by statement, without comments: what the runner knowingly skips, and the call it shares.</summary>
    private static readonly string[] KnownProgram =
    [
        "var builder = FunctionsApplication.CreateBuilder(args);",
        "builder.ConfigureFunctionsWebApplication();",
        "builder.Services.AddPosGreenPoints(builder.Configuration);",
        "if (TelemetryRegistration.IsEnabled(builder.Configuration))",
        "{",
        "builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();",
        "}",
        "builder.Build().Run();",
    ];

    [Fact]
    public void Program_cs_holds_no_behaviour_beyond_the_registration_the_runner_calls_too()
    {
        var statements = File.ReadAllLines(Path.Combine(RepositoryRoot(), "functions/PosGreenPoints.Functions/Program.cs"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal) && !line.StartsWith("using ", StringComparison.Ordinal))
            .ToArray();

        Assert.True(KnownProgram.SequenceEqual(statements),
            "Program.cs changed. Put the behaviour in ServiceRegistration.AddPosGreenPoints (which the local runner calls too), "
            + "or add the statement here and to the runner's table of differences in docs/local-runner.md:"
            + Environment.NewLine + string.Join(Environment.NewLine, statements));
    }

    [Fact]
    public void The_runner_finds_the_same_registration_that_Program_cs_calls()
    {
        var target = typeof(ServiceRegistration).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "LocalRunner.ServiceRegistration").Value;

        Assert.Equal($"{typeof(ServiceRegistration).FullName}.{nameof(ServiceRegistration.AddPosGreenPoints)}", target);
    }

    [Fact]
    public void The_route_fallback_is_the_last_function_by_name_as_the_host_tries_routes_by_function_name()
    {
        var names = FunctionNames();

        Assert.Contains(RouteFallbackFunction.Name, names);
        Assert.Equal(RouteFallbackFunction.Name, names.Max(StringComparer.Ordinal));
        Assert.Equal(RouteFallbackFunction.Name, names.Max(StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("v1/receipts", new[] { "POST" })]
    [InlineData("v1/receipts/some-id", new[] { "GET" })]
    [InlineData("v1/admin/clients/c1", new[] { "DELETE" })]
    [InlineData("health", new[] { "GET" })]
    [InlineData("v1/nothing", new string[0])]
    [InlineData("", new string[0])]
    public void The_fallback_knows_the_methods_each_path_is_served_with(string path, string[] methods)
    {
        Assert.Equal(methods, RouteFallbackFunction.AllowedMethods(path));
    }

    private static List<string> FunctionNames()
    {
        Type[] types;
        try
        {
            types = typeof(RouteFallbackFunction).Assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            types = [.. partial.Types.OfType<Type>()];
        }

        return types
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(method => method.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .ToList();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PosGreenPoints.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No PosGreenPoints.sln above {AppContext.BaseDirectory}.");
    }
}
