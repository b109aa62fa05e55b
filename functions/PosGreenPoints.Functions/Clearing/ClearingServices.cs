using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Clearing;

public static class ClearingServices
{
    /// <summary>Clearing between chains: the day generator, its storage, its workbooks and the nightly run (the member pseudonyms are settlement's).</summary>
    public static IServiceCollection AddClearing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClearingOptions>()
            .Bind(configuration.GetSection(ClearingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ClearingStore>();
        services.AddSingleton<ClearingWriter>();
        services.TryAddSingleton<CachedWorkbooks>();
        services.AddSingleton<ClearingWorkbooks>();
        services.AddSingleton<DailyClearing>();
        return services;
    }
}
