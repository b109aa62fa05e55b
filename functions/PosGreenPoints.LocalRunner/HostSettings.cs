using System.Text.Json;

namespace PosGreenPoints.LocalRunner;

/// <summary>The parts of <c>host.json</c> the runner honours, with the host's defaults where a value is absent.</summary>
public sealed record HostSettings(string RoutePrefix, QueueSettings Queues, SingletonSettings Singleton)
{
    public static HostSettings Load(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            return new HostSettings("api", new QueueSettings(), new SingletonSettings());
        }

        using var stream = File.OpenRead(path);
        var document = JsonSerializer.Deserialize<HostJson>(stream, FunctionMetadata.JsonOptions);
        var extensions = document?.Extensions;
        return new HostSettings(
            extensions?.Http?.RoutePrefix ?? "api",
            extensions?.Queues ?? new QueueSettings(),
            (document?.Singleton ?? new SingletonSettings()).Validated());
    }

    private sealed record HostJson(ExtensionsJson? Extensions, SingletonSettings? Singleton);

    private sealed record ExtensionsJson(HttpJson? Http, QueueSettings? Queues);

    private sealed record HttpJson(string? RoutePrefix);
}

/// <summary>
/// The queue-trigger settings of <c>host.json</c> (<c>extensions.queues</c>); the defaults are those the
/// host documents.
/// </summary>
public sealed record QueueSettings
{
    public int BatchSize { get; init; } = 16;

    /// <summary>The host's default is half the batch size.</summary>
    public int? NewBatchThreshold { get; init; }

    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before it is tried again.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    public int MaxDequeueCount { get; init; } = 5;

    public string MessageEncoding { get; init; } = "base64";

    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;
}

/// <summary>
/// The singleton settings of <c>host.json</c> (<c>singleton</c>) that govern a timer's listener lock,
/// with the host's defaults and limits: a blob lease lasts 15 to 60 s.
/// </summary>
public sealed record SingletonSettings
{
    private static readonly TimeSpan MinimumLeasePeriod = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaximumLeasePeriod = TimeSpan.FromSeconds(60);

    public TimeSpan ListenerLockPeriod { get; init; } = MaximumLeasePeriod;

    /// <summary>How often an instance without the lock tries to take it.</summary>
    public TimeSpan ListenerLockRecoveryPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    public SingletonSettings Validated() =>
        ListenerLockPeriod < MinimumLeasePeriod || ListenerLockPeriod > MaximumLeasePeriod
            ? throw new RunnerStartupException($"host.json singleton.listenerLockPeriod {ListenerLockPeriod} is outside 00:00:15–00:01:00, as the host refuses it.")
            : ListenerLockRecoveryPollingInterval < MinimumLeasePeriod
                ? throw new RunnerStartupException($"host.json singleton.listenerLockRecoveryPollingInterval {ListenerLockRecoveryPollingInterval} is under 00:00:15, as the host refuses it.")
                : this;
}
