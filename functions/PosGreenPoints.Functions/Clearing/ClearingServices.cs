using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        services.AddSingleton<ClearingWorkbooks>();
        services.AddSingleton<DailyClearing>();
        return services;
    }
}
