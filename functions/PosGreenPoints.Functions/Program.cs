using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddPosGreenPoints(builder.Configuration);
if (TelemetryRegistration.IsEnabled(builder.Configuration))
{
    // Only the Functions host has invocations to trace (and the resource attributes of the Function
    // App); the local runner calls AddPosGreenPoints alone and makes its own HTTP spans.
    builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
}

builder.Build().Run();
