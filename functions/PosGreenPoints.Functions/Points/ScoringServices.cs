using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Functions.Infrastructure.Events;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Points;

public static class ScoringServices
{
    /// <summary>Scoring, the ledger, member accounts and integration events.</summary>
    public static IServiceCollection AddScoring(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScoringOptions>()
            .Bind(configuration.GetSection(ScoringOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<EventOptions>().Bind(configuration.GetSection(EventOptions.SectionName));
        // Next to the app assembly, where the build puts host.json; a local runner has its own base directory.
        services.AddSingleton(HostQueueSettings.Read(Path.GetDirectoryName(typeof(ScoringServices).Assembly.Location)!));
        services.AddSingleton<EventPublisher>();
        services.AddSingleton<Ledger>();
        services.AddMemberBuckets(configuration);
        services.AddSingleton<MemberStore>();
        services.AddSingleton<ScoringReceipts>();
        services.AddSingleton<IReturnOriginals>(provider => provider.GetRequiredService<ScoringReceipts>());
        services.AddSingleton<ReceiptScorer>();
        services.AddSingleton<ScoringProcessor>();
        return services;
    }
}
