using Microsoft.Extensions.DependencyInjection;

namespace PosGreenPoints.Functions.Activities;

public static class ActivityServices
{
    /// <summary>Activity intake, scoring and queries, and operator adjustments.</summary>
    public static IServiceCollection AddActivities(this IServiceCollection services)
    {
        services.AddSingleton<ActivityStore>();
        services.AddSingleton<ActivityIntake>();
        services.AddSingleton<ActivitySubmissions>();
        services.AddSingleton<ActivityQueries>();
        services.AddSingleton<ActivityScorer>();
        services.AddSingleton<Adjustments>();
        return services;
    }
}
