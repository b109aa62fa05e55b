using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PosGreenPoints.Functions.Redemption;

public static class RedemptionServices
{
    /// <summary>Redemptions: member codes, the redemption index and the service (redemption.md).</summary>
    public static IServiceCollection AddRedemptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedemptionOptions>()
            .Bind(configuration.GetSection(RedemptionOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<MemberCodeStore>();
        services.AddSingleton<RedemptionIndex>();
        services.AddSingleton<Redemptions>();
        return services;
    }
}
