using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Clearing;
using PosGreenPoints.Functions.Infrastructure.Health;
using PosGreenPoints.Functions.Infrastructure.Poison;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Functions.Redemption;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>
/// The one place the app's services are registered. The Functions host (<c>Program.cs</c>) and the
/// local runner both call <see cref="AddPosGreenPoints"/>, so the two hosts run the same app.
/// </summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddPosGreenPoints(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // A host may have put its own clock here first (the local runner's Clock:Offset).
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<StorageOptions>()
            .Configure(options =>
            {
                var section = configuration.GetSection(StorageOptions.SectionName);
                options.ConnectionString = section.Value;
                section.Bind(options);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddStorageClients();

        // Problems the app does not write itself (the local runner's answers before a function, by their
        // status) get the API's stable types too.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Type is null or "about:blank" && context.ProblemDetails.Status is { } status)
            {
                context.ProblemDetails.Type = Http.ProblemTypes.ForStatus(status);
            }
        });
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(options =>
        {
            options.JsonSerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });

        services.AddAdmin(configuration);
        services.AddSingleton<StorageProvisioner>();
        services.AddProductLists(configuration);
        services.AddReceipts(configuration);
        services.AddScoring(configuration);
        services.AddActivities();
        services.AddSettlement(configuration);
        services.AddWallets();
        services.AddRedemptions(configuration);
        services.AddClearing(configuration);
        services.AddSingleton<StorageHealthProbe>();
        services.AddSingleton<PoisonQueues>();
        services.AddPosGreenPointsTelemetry(configuration);
        return services;
    }
}
