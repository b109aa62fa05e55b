using Microsoft.Extensions.DependencyInjection;

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
}
