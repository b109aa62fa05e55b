using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration.Memory;
using PosGreenPoints.LocalRunner;

// The local runner: serves an isolated-worker Function App's triggers without Azure Functions Core
// Tools. Usage: PosGreenPoints.LocalRunner --app <the app's build output folder> [--urls http://127.0.0.1:7071]
try
{
    var environment = Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT") is { Length: > 0 } named
        ? named
        : Environments.Development; // As Core Tools: a local run is a Development run unless told otherwise.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = args,
        EnvironmentName = environment,
        ContentRootPath = AppContext.BaseDirectory, // the runner's appsettings.json, wherever it is started from
    });

    var appDirectory = builder.Configuration["app"]
        ?? throw new RunnerStartupException("Name the Function App's build output folder: --app <folder>.");
    var app = FunctionApp.Load(appDirectory);

    // local.settings.json "Values" become settings as Core Tools makes them environment variables:
    // below real environment variables and the command line.
    builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LocalSettings.Read(app.Directory) });
    builder.Configuration.AddEnvironmentVariables();
    builder.Configuration.AddCommandLine(args);

    builder.Services.AddSingleton(Clock.Create(builder.Configuration, builder.Environment));
    builder.Services.AddSingleton<RunnerProblems>();
    var refusals = new KestrelRefusals();
    builder.Services.AddSingleton(refusals);
    builder.WebHost.ConfigureKestrel(options =>
    {
        // No answer names the server software; the app cannot take the header off Kestrel's own answers.
        options.AddServerHeader = false;
        // What the deployed path allows: the host's Kestrel takes 100 MiB, and then the worker's own
        // Kestrel (the ASP.NET Core integration, which sets no limit) its default, 30,000,000 bytes.
        options.Limits.MaxRequestBodySize = WorkerKestrel.MaxRequestBodySize;
        builder.Configuration.GetSection("Kestrel:Limits").Bind(options.Limits);
        options.ConfigureEndpointDefaults(refusals.Add);
    });
    builder.Services.AddMvcCore();
    app.RegisterServices(builder.Services, builder.Configuration);

    var storageConnection = builder.Configuration["AzureWebJobsStorage"];
    var processingVisibility = ProcessingVisibility.Read(builder.Configuration);
    var hostId = HostId.Resolve(builder.Configuration, app.Directory);
    var disabled = app.Functions.Where(function => builder.Configuration.GetValue<bool>($"AzureWebJobs.{function.Name}.Disabled")).ToList();
    app = app.Without(disabled);
    foreach (var function in app.Functions)
    {
        var trigger = function.Trigger;
        switch (trigger.Type.ToLowerInvariant())
        {
            case "httptrigger":
                break;
            case "queuetrigger":
                var connection = builder.Configuration[trigger.Connection ?? "AzureWebJobsStorage"]
                    ?? throw new RunnerStartupException($"Function {function.Name}: no connection string in the setting '{trigger.Connection ?? "AzureWebJobsStorage"}'.");
                var queueName = Settings.Resolve(builder.Configuration, trigger.QueueName ?? throw new RunnerStartupException($"Function {function.Name}: no queueName."));
                var encoding = app.Host.Queues.MessageEncoding.Equals("none", StringComparison.OrdinalIgnoreCase)
                    ? QueueMessageEncoding.None
                    : QueueMessageEncoding.Base64;
                var queueOptions = new QueueClientOptions { MessageEncoding = encoding };
                var invoker = new FunctionInvoker(app, function);
                builder.Services.AddSingleton<IHostedService>(provider => ActivatorUtilities.CreateInstance<QueueTriggerListener>(
                    provider,
                    invoker,
                    app.Host.Queues,
                    new QueueClient(connection, queueName, queueOptions),
                    new QueueClient(connection, queueName + "-poison", queueOptions),
                    processingVisibility));
                break;
            case "timertrigger":
                var expression = Settings.Resolve(builder.Configuration, trigger.Schedule ?? throw new RunnerStartupException($"Function {function.Name}: no schedule."));
                var schedule = TimerTriggerScheduler.ParseSchedule(function.Name, expression);
                var timerInvoker = new FunctionInvoker(app, function);
                var storage = new BlobContainerClient(
                    storageConnection ?? throw new RunnerStartupException("Timer triggers keep their schedule status and singleton lock in AzureWebJobsStorage, which is not set."),
                    TimerStatus.Container);
                var statusBlob = storage.GetBlobClient(TimerStatus.BlobName(hostId, function.Name));
                var listenerLock = new ListenerLock(storage.GetBlobClient(ListenerLock.BlobName(hostId, function.Name)), app.Host.Singleton.ListenerLockPeriod);
                builder.Services.AddSingleton<IHostedService>(provider => ActivatorUtilities.CreateInstance<TimerTriggerScheduler>(
                    provider, timerInvoker, schedule, statusBlob, listenerLock, app.Host.Singleton));
                break;
            default:
                throw new RunnerStartupException($"Function {function.Name}: the local runner does not serve '{trigger.Type}' triggers.");
        }
    }

    var web = builder.Build();
    refusals.Use(web.Services.GetRequiredService<RunnerProblems>());
    if (builder.Configuration.GetValue<bool>("LocalRunner:ExitWhenStdinCloses"))
    {
        // For test fixtures, which hold standard input open: when the test process dies, so does the runner.
        _ = Task.Run(async () =>
        {
            await Console.OpenStandardInput().CopyToAsync(Stream.Null);
            web.Lifetime.StopApplication();
        });
    }

    var routes = HttpTriggers.Map(web, app);
    var logger = web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LocalRunner");
    web.Lifetime.ApplicationStarted.Register(() =>
    {
        var clock = web.Services.GetRequiredService<TimeProvider>();
        logger.LogInformation("Serving {App} ({Environment}) with {Count} functions as host id {HostId}; now is {Now:O}",
            app.Assembly.GetName().Name, web.Environment.EnvironmentName, app.Functions.Count, hostId, clock.GetUtcNow());
        foreach (var function in disabled)
        {
            logger.LogInformation("  {Function}: disabled by {Setting}", function.Name, $"AzureWebJobs.{function.Name}.Disabled");
        }
        foreach (var route in routes)
        {
            logger.LogInformation("  {Route}", route);
        }
    });
    await web.RunAsync();
    return 0;
}
catch (RunnerStartupException failure)
{
    await Console.Error.WriteLineAsync("local runner: " + failure.Message);
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException failure)
{
    await Console.Error.WriteLineAsync("local runner: the app's settings are invalid: " + failure.Message);
    return 2;
}
catch (IOException failure) when (failure.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
{
    await Console.Error.WriteLineAsync("local runner: the port is taken: " + failure.Message);
    return 3;
}

internal static class Clock
{
    public const string OffsetKey = "Clock:Offset";

    /// <summary>The clock every function and timer of this run sees; shifted only in Development, as the spec demands.</summary>
    public static TimeProvider Create(IConfiguration configuration, IHostEnvironment environment)
    {
        var text = configuration[OffsetKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeProvider.System;
        }

        if (!environment.IsDevelopment())
        {
            throw new RunnerStartupException($"{OffsetKey} is honoured only in the Development environment; this is {environment.EnvironmentName}. Remove the setting.");
        }

        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var offset))
        {
            throw new RunnerStartupException($"{OffsetKey} '{text}' is not a TimeSpan such as 1.00:00:00.");
        }

        return new OffsetTimeProvider(offset);
    }
}

internal static class WorkerKestrel
{
    /// <summary>Kestrel's default limit, which the worker's ASP.NET Core integration keeps.</summary>
    public const long MaxRequestBodySize = 30_000_000;
}

internal static class ProcessingVisibility
{
    /// <summary>
    /// How long a queue message stays invisible while its function runs (<see cref="QueueTriggerListener"/>).
    /// At least 2 s: it is renewed at half time, and a renewal must have time to arrive.
    /// </summary>
    public static TimeSpan Read(IConfiguration configuration)
    {
        var text = configuration[QueueTriggerListener.ProcessingVisibilitySetting];
        if (string.IsNullOrWhiteSpace(text))
        {
            return QueueTriggerListener.DefaultProcessingVisibility;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.FromSeconds(2)
            ? value
            : throw new RunnerStartupException($"{QueueTriggerListener.ProcessingVisibilitySetting} '{text}' is not a TimeSpan of at least 00:00:02.");
    }
}

internal static class Settings
{
    /// <summary>Resolves a binding expression of the form <c>%SettingName%</c>, as the host does.</summary>
    public static string Resolve(IConfiguration configuration, string value) =>
        value is ['%', .. var name, '%']
            ? configuration[name.Replace("__", ":", StringComparison.Ordinal)] ?? throw new RunnerStartupException($"The setting '{name}' used as %{name}% is not set.")
            : value;
}

internal static class LocalSettings
{
    /// <summary>The "Values" of local.settings.json in the app folder, keys in configuration form (__ → :).</summary>
    public static Dictionary<string, string?> Read(string appDirectory)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var path = Path.Combine(appDirectory, "local.settings.json");
        if (!File.Exists(path))
        {
            return values;
        }

        using var stream = File.OpenRead(path);
        using var document = System.Text.Json.JsonDocument.Parse(stream, new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.TryGetProperty("Values", out var section))
        {
            foreach (var property in section.EnumerateObject())
            {
                values[property.Name.Replace("__", ":", StringComparison.Ordinal)] = property.Value.ToString();
            }
        }

        return values;
    }
}
