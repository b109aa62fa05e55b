using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Classification;

public static class ClassificationServices
{
    /// <summary>The points rules, product-list publishing and the classification index.</summary>
    public static IServiceCollection AddProductLists(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<PointsRulesOptions>()
            .Bind(configuration.GetSection(PointsRulesOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PointsRulesOptions>, PointsRulesOptionsValidation>());
        services.AddSingleton(provider => PointsRules.Load(provider.GetRequiredService<IOptions<PointsRulesOptions>>().Value.ResolvedPath));

        services.AddOptions<ClassificationOptions>()
            .Bind(configuration.GetSection(ClassificationOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<ProductListStore>();
        services.AddSingleton<ProductListPublisher>();
        services.AddSingleton<ClassificationIndexProvider>();
        return services;
    }
}
