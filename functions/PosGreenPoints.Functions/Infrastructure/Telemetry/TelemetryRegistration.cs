using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PosGreenPoints.Functions.Infrastructure.Telemetry;

/// <summary>
/// OpenTelemetry traces, metrics and logs: to Application Insights when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, to the console when <c>Telemetry:Console</c> is
/// true (local runs), nowhere otherwise — then nothing is registered and the instruments cost nothing.
/// </summary>
public static class TelemetryRegistration
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string ConsoleSetting = "Telemetry:Console";

    public static IServiceCollection AddPosGreenPointsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        if (!IsEnabled(configuration))
        {
            return services;
        }

        var connectionString = configuration[ConnectionStringSetting];
        var azureMonitor = !string.IsNullOrWhiteSpace(connectionString);
        var console = configuration.GetValue<bool>(ConsoleSetting);

        var credential = azureMonitor ? CredentialFor(configuration[AuthenticationStringSetting]) : null;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(PosGreenPointsTelemetry.Name))
            .WithTracing(tracing =>
            {
                tracing.AddSource(PosGreenPointsTelemetry.Name)
                    .AddAspNetCoreInstrumentation(options => options.EnrichWithHttpRequest = (activity, request) =>
                    {
                        // Member ids are path segments (/members/{memberId}/points): never in a trace.
                        activity.SetTag("url.path", LogRedaction.Path(request.Path));
                        activity.DisplayName = $"{request.Method} {LogRedaction.Path(request.Path)}";
                    });
                if (azureMonitor)
                {
                    tracing.AddAzureMonitorTraceExporter(options => Configure(options, connectionString!, credential));
                }

                if (console)
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PosGreenPointsTelemetry.Name);
                if (azureMonitor)
                {
                    metrics.AddAzureMonitorMetricExporter(options => Configure(options, connectionString!, credential));
                }

                if (console)
                {
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000);
                }
            });

        // The console already gets the host's own log lines; OpenTelemetry's console copy would double them.
        if (azureMonitor)
        {
            telemetry.WithLogging(
                logging => logging.AddAzureMonitorLogExporter(options => Configure(options, connectionString!, credential)),
                options =>
                {
                    options.IncludeScopes = true;
                    options.IncludeFormattedMessage = true;
                });
        }

        return services;
    }

    /// <summary>Whether any exporter is configured; without one, OpenTelemetry is not registered at all.</summary>
    public static bool IsEnabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]) || configuration.GetValue<bool>(ConsoleSetting);
    }

    /// <summary>
    /// <c>Authorization=AAD</c> (optionally <c>;ClientId=…</c>) asks for Entra ID instead of the
    /// connection string's instrumentation key, as the Application Insights SDKs read it.
    /// </summary>
    internal static TokenCredential? CredentialFor(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
        {
            return null;
        }

        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && !string.IsNullOrWhiteSpace(clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
    }

    private static void Configure(AzureMonitorExporterOptions options, string connectionString, TokenCredential? credential)
    {
        options.ConnectionString = connectionString;
        if (credential is not null)
        {
            options.Credential = credential;
        }
    }
}
