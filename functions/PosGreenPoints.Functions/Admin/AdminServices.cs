using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;

namespace PosGreenPoints.Functions.Admin;

public static class AdminServices
{
    /// <summary>API clients and their keys, chains, and the gate every API function passes through.</summary>
    public static IServiceCollection AddAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<ChainRegistry>();
        services.AddSingleton<ClientRegistry>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<ApiGate>();
        return services;
    }
}
