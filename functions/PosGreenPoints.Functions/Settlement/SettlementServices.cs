using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Settlement;

public static class SettlementServices
{
    /// <summary>Daily settlement: the file writer, its storage, its workbooks, and the nightly run.</summary>
    public static IServiceCollection AddSettlement(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SettlementOptions>()
            .Bind(configuration.GetSection(SettlementOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(provider => new MemberPseudonyms(provider.GetRequiredService<IOptions<SettlementOptions>>().Value.HmacKey));
        services.AddSingleton<SettlementStore>();
        services.AddSingleton<SettlementWriter>();
        services.TryAddSingleton<CachedWorkbooks>();
        services.AddSingleton<SettlementWorkbooks>();
        services.AddSingleton<DailySettlement>();
        return services;
    }
}
