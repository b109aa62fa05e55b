using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Unit.Infrastructure;

/// <summary>
/// Compiles and lints infra/main.bicep with the Bicep CLI pinned by the project file, so that a template
/// that would not deploy cleanly, or that leaks a key, fails here rather than in a pipeline.
/// </summary>
public sealed partial class BicepTests
{
    private const string MainTemplate = "infra/main.bicep";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    // Keeps ARM expressions legible in failure messages instead of escaping every quote as \u0027.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public async Task Main_bicep_builds_without_warnings()
    {
        var run = await RunBicepAsync("build", MainTemplate, "--stdout");

        Assert.True(run.ExitCode == 0, $"bicep build exited with {run.ExitCode}:{Environment.NewLine}{run.StandardError}");
        Assert.False(Diagnostic().IsMatch(run.StandardError), $"bicep build reported diagnostics:{Environment.NewLine}{run.StandardError}");
    }

    [Fact]
    public async Task Main_bicep_lints_without_warnings()
    {
        var run = await RunBicepAsync("lint", MainTemplate);

        // Lint exits with 0 on warnings, so the output is what tells a clean template from a merely valid one.
        Assert.True(run.ExitCode == 0, $"bicep lint exited with {run.ExitCode}:{Environment.NewLine}{run}");
        Assert.False(
            Diagnostic().IsMatch(run.StandardError) || Diagnostic().IsMatch(run.StandardOutput),
            $"bicep lint reported diagnostics:{Environment.NewLine}{run}");
    }

    [Fact]
    public async Task No_app_setting_or_output_holds_a_key_or_connection_string()
    {
        var run = await RunBicepAsync("build", MainTemplate, "--stdout");
        Assert.True(run.ExitCode == 0, $"bicep build exited with {run.ExitCode}:{Environment.NewLine}{run.StandardError}");

        var template = JsonNode.Parse(run.StandardOutput)?.AsObject()
            ?? throw new InvalidOperationException($"bicep build printed no template:{Environment.NewLine}{run}");
        var outputs = template["outputs"]?.AsObject() ?? [];
        Assert.NotEmpty(outputs);

        // A key gets into an app setting or an output through a list* call or as literal key material; the whole
        // template is searched because the Function App's settings will live in it too.
        var findings = run.StandardOutput.Split('\n')
            .Where(line => SecretMaterial().IsMatch(line))
            .Select(line => $"template: {line.Trim()}")
            .Concat(outputs
                .Select(output => (output.Key, Value: output.Value?.ToJsonString(Readable) ?? string.Empty))
                .Where(output => ConnectionString().IsMatch(output.Key) || ConnectionString().IsMatch(output.Value))
                .Select(output => $"output {output.Key}: {output.Value}"))
            .ToList();

        Assert.True(findings.Count == 0, $"The compiled template exposes keys or connection strings:{Environment.NewLine}{string.Join(Environment.NewLine, findings)}");
    }

    [Fact]
    public async Task Function_app_settings_hold_no_key_or_connection_string()
    {
        var template = await BuildTemplateAsync();

        var sites = Resources(template).Where(resource => IsType(resource, "Microsoft.Web/sites")).ToList();
        Assert.NotEmpty(sites);

        var settings = sites.SelectMany(AppSettings)
            .Concat(Resources(template).Where(resource => IsType(resource, "Microsoft.Web/sites/config")).SelectMany(ConfigSettings))
            .ToList();
        Assert.NotEmpty(settings);

        var findings = settings
            .Where(setting => ForbiddenValue().IsMatch(setting.Value))
            .Select(setting => $"{setting.Name} = {setting.Value}")
            // APPLICATIONINSIGHTS_CONNECTION_STRING is the one connection string allowed: it holds only the
            // instrumentation key (an id, not a credential) and the ingestion endpoints, and the component has
            // local auth disabled, so ingestion needs the Entra token of APPLICATIONINSIGHTS_AUTHENTICATION_STRING.
            .Concat(settings
                .Where(setting => ConnectionString().IsMatch(setting.Name.Replace("_", "", StringComparison.Ordinal)))
                .Where(setting => setting.Name != AllowedConnectionStringSetting)
                .Select(setting => $"{setting.Name} is a connection string setting"))
            .ToList();

        Assert.True(findings.Count == 0, $"Function App settings hold keys or connection strings:{Environment.NewLine}{string.Join(Environment.NewLine, findings)}");

        // What the app reads in Azure: identity-based storage, Service Bus and ingestion, secrets through Key Vault.
        var byName = settings.ToDictionary(setting => setting.Name, setting => setting.Value);
        foreach (var name in new[]
        {
            "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri",
            "AzureWebJobsStorage__clientId", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "Events__ServiceBusNamespace",
            "Events__ClientId", "SettlementSchedule", "ExpirySchedule", "HoldsSchedule", "ClearingSchedule", "Members__BucketCount", AllowedConnectionStringSetting,
        })
        {
            Assert.True(byName.ContainsKey(name), $"The Function App has no app setting {name}.");
        }

        Assert.Equal("managedidentity", byName.GetValueOrDefault("AzureWebJobsStorage__credential"));
        Assert.False(byName.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage would be a connection string; use the identity-based settings.");
        foreach (var name in new[] { "Auth__BootstrapOperatorKey", "Settlement__HmacKey" })
        {
            Assert.True(
                byName.TryGetValue(name, out var value) && value.Contains("@Microsoft.KeyVault(SecretUri=", StringComparison.Ordinal),
                $"{name} must be a Key Vault reference, not a value: {value}");
        }
    }

    [Fact]
    public async Task Every_storage_name_of_the_app_is_created_by_the_template()
    {
        var template = await BuildTemplateAsync();
        var code = File.ReadAllText(Path.Combine(RepositoryRoot(), StorageNamesFile));

        var missing = new List<string>();
        foreach (var (codeClass, resourceType) in new[]
        {
            ("Tables", "Microsoft.Storage/storageAccounts/tableServices/tables"),
            ("Queues", "Microsoft.Storage/storageAccounts/queueServices/queues"),
            ("Containers", "Microsoft.Storage/storageAccounts/blobServices/containers"),
        })
        {
            var expected = ConstantsOf(code, codeClass);
            Assert.True(expected.Count > 0, $"No `const string X = \"name\";` in the class {codeClass} of {StorageNamesFile}.");

            var created = CreatedNames(template, resourceType);
            missing.AddRange(expected.Except(created, StringComparer.Ordinal).Select(name => $"{codeClass}: {name} (created: {string.Join(", ", created)})"));

            if (codeClass == "Queues")
            {
                // The host moves a message that failed maxDequeueCount times to <queue>-poison; the poison alert
                // and the replay endpoint expect it to exist before the first failure.
                var triggered = QueueTrigger().Matches(FunctionSources()).Select(match => ConstantValue(code, codeClass, match.Groups["constant"].Value));
                missing.AddRange(triggered.Select(queue => $"{queue}-poison").Except(created, StringComparer.Ordinal).Select(name => $"Queues: {name} (poison queue of a queue trigger)"));
            }
        }

        Assert.True(missing.Count == 0, $"The app uses storage the template does not create:{Environment.NewLine}{string.Join(Environment.NewLine, missing)}");
    }

    /// <summary>
    /// The operators' dashboard has one source for its KQL: every query of the built workbook is the text of a
    /// file in infra/queries/dashboard/ (loaded by loadTextContent), and every such file is a view.
    /// </summary>
    [Fact]
    public async Task Every_query_of_the_dashboard_workbook_is_one_of_its_kql_files()
    {
        var template = await BuildTemplateAsync();
        var (workbook, holder) = Assert.Single(Resources(template), entry => IsType(entry, "Microsoft.Insights/workbooks"));
        var properties = workbook["properties"]!;
        Assert.Contains("Microsoft.Insights/components", JsonText(properties["sourceId"]), StringComparison.Ordinal);
        var serialized = JsonText(properties["serializedData"]);
        Assert.Contains("fallbackResourceIds", serialized, StringComparison.Ordinal);

        var contentName = VariableReference().Match(serialized) is { Success: true } reference
            ? reference.Groups["name"].Value
            : throw new InvalidOperationException($"The workbook's serializedData names no variable: {serialized}");
        var content = holder["variables"]?[contentName] as JsonObject
            ?? throw new InvalidOperationException($"The dashboard module has no object variable {contentName}.");
        var queries = WorkbookItems(content)
            .Select(item => item["content"]?["query"])
            .Where(query => query is not null)
            .Select(query => ResolveVariable(JsonText(query), holder))
            .ToList();

        var files = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), DashboardQueries), "*.kql")
            .ToDictionary(path => Path.GetFileName(path), File.ReadAllText);
        Assert.NotEmpty(files);
        var unknown = queries.Where(query => !files.ContainsValue(query)).Select(query => query.Split('\n')[0]).ToList();
        var unused = files.Where(file => !queries.Contains(file.Value, StringComparer.Ordinal)).Select(file => file.Key).ToList();
        Assert.True(unknown.Count == 0, $"Workbook queries that are no file of {DashboardQueries}:{Environment.NewLine}{string.Join(Environment.NewLine, unknown)}");
        Assert.True(unused.Count == 0, $"Files of {DashboardQueries} that no workbook view runs: {string.Join(", ", unused)}");
        Assert.Equal(files.Count, queries.Count);
    }

    private const string DashboardQueries = "infra/queries/dashboard";

    /// <summary>A workbook's items, those of its groups included.</summary>
    private static IEnumerable<JsonObject> WorkbookItems(JsonObject container) =>
        (container["items"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .SelectMany(item => item["content"] is JsonObject inner && inner["items"] is JsonArray ? WorkbookItems(inner).Prepend(item) : [item]);

    /// <summary>The text of <c>[variables('name')]</c> (how a loadTextContent lands in the template), or the literal itself.</summary>
    private static string ResolveVariable(string value, JsonObject holder) =>
        WholeVariableReference().Match(value) is { Success: true } reference
            ? JsonText(holder["variables"]?[reference.Groups["name"].Value] ?? throw new InvalidOperationException($"No variable {reference.Groups["name"].Value}."))
            : value;

    [GeneratedRegex(@"variables\('(?<name>[^']+)'\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)\]$")]
    private static partial Regex WholeVariableReference();

    private const string AllowedConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    private const string StorageNamesFile = "functions/PosGreenPoints.Functions/Infrastructure/StorageNames.cs";

    private static async Task<JsonObject> BuildTemplateAsync()
    {
        var run = await RunBicepAsync("build", MainTemplate, "--stdout");
        Assert.True(run.ExitCode == 0, $"bicep build exited with {run.ExitCode}:{Environment.NewLine}{run.StandardError}");
        return JsonNode.Parse(run.StandardOutput)?.AsObject()
            ?? throw new InvalidOperationException($"bicep build printed no template:{Environment.NewLine}{run}");
    }

    /// <summary>Every resource of a template and of the templates of its modules (nested deployments), with the template that holds it.</summary>
    private static IEnumerable<(JsonObject Resource, JsonObject Template)> Resources(JsonObject template)
    {
        // languageVersion 2.0 templates keep resources in an object keyed by symbolic name.
        var resources = template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject byName => byName.Select(entry => entry.Value).OfType<JsonObject>(),
            _ => [],
        };
        foreach (var resource in resources)
        {
            yield return (resource, template);
            if (resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Resources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    private static bool IsType((JsonObject Resource, JsonObject Template) entry, string type) =>
        string.Equals((string?)entry.Resource["type"], type, StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<(string Name, string Value)> AppSettings((JsonObject Resource, JsonObject Template) site) =>
        (site.Resource["properties"]?["siteConfig"]?["appSettings"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(setting => ((string?)setting["name"] ?? "", JsonText(setting["value"])));

    private static IEnumerable<(string Name, string Value)> ConfigSettings((JsonObject Resource, JsonObject Template) config) =>
        ((string?)config.Resource["name"] ?? "").Contains("appsettings", StringComparison.OrdinalIgnoreCase)
            ? (config.Resource["properties"] as JsonObject ?? []).Select(entry => (entry.Key, JsonText(entry.Value)))
            : [];

    private static string JsonText(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString(Readable) ?? "";

    /// <summary>
    /// The names the template gives resources of a type: a literal last name segment, or the elements of the
    /// variable array a copy loop walks (<c>variables('names')[copyIndex()]</c>).
    /// </summary>
    private static List<string> CreatedNames(JsonObject template, string type)
    {
        var names = new List<string>();
        foreach (var (resource, holder) in Resources(template).Where(entry => IsType(entry, type)))
        {
            var name = (string?)resource["name"] ?? "";
            if (CopiedName().Match(name) is { Success: true } copied)
            {
                var values = holder["variables"]?[copied.Groups["variable"].Value] as JsonArray
                    ?? throw new InvalidOperationException($"{type} {name}: no variable array {copied.Groups["variable"].Value}.");
                names.AddRange(values.Select(value => JsonText(value)));
            }
            else if (LiteralLastSegment().Match(name) is { Success: true } literal)
            {
                names.Add(literal.Groups["name"].Value);
            }
            else if (!name.StartsWith('['))
            {
                names.Add(name.Split('/')[^1]);
            }
        }

        return names;
    }

    /// <summary>The values of <c>const string X = "value";</c> inside <c>public static class {className}</c>.</summary>
    private static List<string> ConstantsOf(string code, string className) =>
        ConstantDeclaration().Matches(ClassBody(code, className)).Select(match => match.Groups["value"].Value).ToList();

    private static string ConstantValue(string code, string className, string constant) =>
        ConstantDeclaration().Matches(ClassBody(code, className))
            .Where(match => match.Groups["name"].Value == constant)
            .Select(match => match.Groups["value"].Value)
            .SingleOrDefault()
        ?? throw new InvalidOperationException($"No constant {className}.{constant} in {StorageNamesFile}.");

    private static string ClassBody(string code, string className)
    {
        var start = code.IndexOf($"static class {className}", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No static class {className} in {StorageNamesFile}.");
        var open = code.IndexOf('{', start);
        var depth = 0;
        for (var index = open; index < code.Length; index++)
        {
            depth += code[index] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return code[open..index];
            }
        }

        throw new InvalidOperationException($"The class {className} in {StorageNamesFile} does not end.");
    }

    private static string FunctionSources() =>
        string.Join(
            Environment.NewLine,
            Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "functions/PosGreenPoints.Functions"), "*.cs", SearchOption.AllDirectories)
                .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Select(File.ReadAllText));

    [GeneratedRegex(@"\bconst\s+string\s+(?<name>\w+)\s*=\s*""(?<value>[^""]+)""\s*;")]
    private static partial Regex ConstantDeclaration();

    [GeneratedRegex(@"QueueTrigger\(\s*StorageNames\.Queues\.(?<constant>\w+)")]
    private static partial Regex QueueTrigger();

    [GeneratedRegex(@"variables\('(?<variable>\w+)'\)\[copyIndex\(\)\]\)?\]$")]
    private static partial Regex CopiedName();

    [GeneratedRegex(@"'(?<name>[A-Za-z0-9-]+)'\)\]$")]
    private static partial Regex LiteralLastSegment();

    /// <summary>Key material or a call that returns it, in an app setting's value.</summary>
    [GeneratedRegex(@"AccountKey=|SharedAccessKey=|Password=|listKeys\(|listConnectionStrings\(", RegexOptions.IgnoreCase)]
    private static partial Regex ForbiddenValue();

    /// <summary>
    /// Any warning or error the CLI prints: its diagnostics ("main.bicep(3,7) : Warning no-unused-params: …")
    /// and its notice about experimental features.
    /// </summary>
    [GeneratedRegex(@"\b(warning|error)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Diagnostic();

    [GeneratedRegex(@"\blist\w*\(|AccountKey=|SharedAccessKey", RegexOptions.IgnoreCase)]
    private static partial Regex SecretMaterial();

    [GeneratedRegex("connectionString", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionString();

    private static Task<ProcessRun> RunBicepAsync(params string[] arguments) =>
        ProcessRun.RunAsync(BicepCli(), arguments, RunTimeout, RepositoryRoot());

    private static string BicepCli()
    {
        var path = typeof(BicepTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == "BicepCli")?.Value;
        if (path is null || !File.Exists(path))
        {
            throw new FileNotFoundException($"The Bicep CLI is not at '{path}': restore the unit test project, which downloads it as a NuGet package.", path);
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The project downloads the linux-x64 build of the Bicep CLI.");
        }

        // NuGet does not promise to keep file modes when it extracts a package.
        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return path;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PosGreenPoints.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No PosGreenPoints.sln above {AppContext.BaseDirectory}.");
    }
}
