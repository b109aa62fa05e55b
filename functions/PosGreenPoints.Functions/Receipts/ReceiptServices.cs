using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PosGreenPoints.Functions.Receipts;

public static class ReceiptServices
{
    /// <summary>Receipt intake, submission and queries.</summary>
    public static IServiceCollection AddReceipts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReceiptOptions>()
            .Bind(configuration.GetSection(ReceiptOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ReceiptIntake>();
        services.AddSingleton<ReturnChecks>();
        services.AddSingleton<ReceiptSubmissions>();
        services.AddSingleton<ReceiptQueries>();
        return services;
    }
}
