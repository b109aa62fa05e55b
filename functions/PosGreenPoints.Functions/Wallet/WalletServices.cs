using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PosGreenPoints.Functions.Wallet;

public static class WalletServices
{
    /// <summary>Member wallets: their reads and the expiry timer (the store is scoring's, which posts to it).</summary>
    public static IServiceCollection AddWallets(this IServiceCollection services)
    {
        services.AddSingleton<WalletReads>();
        services.AddSingleton<WalletExpiry>();
        return services;
    }

    /// <summary>The Members table's bucket count (validated on start), and the start's check of it against the recorded layout.</summary>
    public static IServiceCollection AddMemberBuckets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MemberBucketOptions>()
            .Bind(configuration.GetSection(MemberBucketOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(provider => new MemberBuckets(provider.GetRequiredService<IOptions<MemberBucketOptions>>().Value.BucketCount));
        services.AddHostedService<MemberLayoutCheck>();
        return services;
    }
}
