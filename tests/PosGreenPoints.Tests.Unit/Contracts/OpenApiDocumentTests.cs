using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PosGreenPoints.OpenApi;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using MvcJsonOptions = Microsoft.AspNetCore.Mvc.JsonOptions;

namespace PosGreenPoints.Tests.Unit.Contracts;

/// <summary>
/// Keeps the committed OpenAPI document and JSON Schemas (<c>contracts/</c>) equal to what
/// <see cref="ApiDescription"/> generates from the wire types, and the document complete: every HTTP
/// function of the app must be in it. <c>UPDATE_CONTRACTS=1</c> rewrites the committed files instead of failing.
/// </summary>
public sealed partial class OpenApiDocumentTests
{
    private const string Regenerate = "UPDATE_CONTRACTS=1 dotnet test tests/PosGreenPoints.Tests.Unit --filter FullyQualifiedName~OpenApi";

    private static readonly string RepositoryRoot = FindRepositoryRoot();
    private static readonly string ContractsDirectory = Path.Combine(RepositoryRoot, "contracts");
    private static readonly bool Updating = Environment.GetEnvironmentVariable("UPDATE_CONTRACTS") == "1";

    private static readonly string Configuration =
        typeof(OpenApiDocumentTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    // Format assertion stays off, as in most validators vendors use: the patterns must catch what the formats say.
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    private static readonly Lazy<JsonSchema> ReceiptSchema = new(() =>
        JsonSchema.FromText(ApiDescription.ToFileText(ApiDescription.BuildSchema(typeof(ReceiptSubmission)))));

    [Fact]
    public void The_committed_openapi_document_is_the_generated_one() =>
        AssertCommitted(Path.Combine(ContractsDirectory, "openapi.json"), ApiDescription.ToFileText(ApiDescription.BuildDocument()));

    [Fact]
    public void The_committed_json_schemas_are_the_generated_ones()
    {
        var schemaDirectory = Path.Combine(ContractsDirectory, "schemas");
        var generated = ApiDescription.StandaloneSchemaTypes.ToDictionary(
            ApiDescription.SchemaFileName,
            type => ApiDescription.ToFileText(ApiDescription.BuildSchema(type)));

        foreach (var (fileName, text) in generated)
        {
            AssertCommitted(Path.Combine(schemaDirectory, fileName), text);
        }

        var stale = Directory.EnumerateFiles(schemaDirectory, "*.schema.json")
            .Where(path => !generated.ContainsKey(Path.GetFileName(path)))
            .ToList();
        if (Updating)
        {
            stale.ForEach(File.Delete);
            return;
        }

        Assert.True(stale.Count == 0, $"{string.Join(", ", stale.Select(Relative))} no longer generated: regenerate with `{Regenerate}` and commit the result.");
    }

    [Fact]
    public void Every_generated_schema_is_a_valid_json_schema()
    {
        var schemas = ApiDescription.StandaloneSchemaTypes
            .Select(type => (Name: ApiDescription.SchemaFileName(type), Schema: (JsonNode)ApiDescription.BuildSchema(type)))
            .Concat(ApiDescription.BuildDocument()["components"]!["schemas"]!.AsObject().Select(entry => (Name: entry.Key, Schema: entry.Value!)));

        var invalid = schemas
            .Where(schema => !MetaSchemas.Draft202012.Evaluate(schema.Schema, Evaluation).IsValid)
            .Select(schema => schema.Name)
            .ToList();

        Assert.True(invalid.Count == 0, $"Not valid JSON Schema 2020-12: {string.Join(", ", invalid)}");
    }

    [Fact]
    public void Every_http_function_of_the_app_is_in_the_document()
    {
        var appDirectory = Path.Combine(RepositoryRoot, "functions", "PosGreenPoints.Functions", "bin", Configuration, "net10.0");
        var metadataPath = Path.Combine(appDirectory, "functions.metadata");
        Assert.True(File.Exists(metadataPath), $"{metadataPath} is missing: build the solution ({Configuration}) first.");
        var routePrefix = (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(appDirectory, "host.json")))?["extensions"]?["http"]?["routePrefix"] ?? "api";
        var paths = ApiDescription.BuildDocument()["paths"]!.AsObject();

        var routes = new List<string>();
        var undocumented = new List<string>();
        foreach (var function in JsonNode.Parse(File.ReadAllText(metadataPath))!.AsArray().Select(node => node!.AsObject()))
        {
            var name = (string)function["name"]!;
            if (name == PosGreenPoints.Functions.Functions.RouteFallbackFunction.Name)
            {
                // Not an operation: the 404/405 problem for every path and method no operation serves (info.description).
                continue;
            }

            foreach (var trigger in function["bindings"]!.AsArray().Where(binding => (string?)binding!["type"] == "httpTrigger"))
            {
                var route = RouteConstraint().Replace((string?)trigger!["route"] ?? name, "{${name}}").Trim('/');
                var path = "/" + string.Join('/', new[] { routePrefix.Trim('/'), route }.Where(part => part.Length > 0));
                var methods = trigger["methods"]?.AsArray().Select(method => ((string)method!).ToLowerInvariant()).ToList();
                Assert.True(methods is { Count: > 0 }, $"{name} answers every HTTP method: name its methods, so that the document can describe each.");
                foreach (var method in methods)
                {
                    routes.Add($"{method.ToUpperInvariant()} {path}");
                    if (paths[path]?[method] is null)
                    {
                        undocumented.Add($"{method.ToUpperInvariant()} {path} ({name})");
                    }
                }
            }
        }

        Assert.Contains("POST /api/v1/receipts", routes);
        Assert.True(undocumented.Count == 0,
            $"These HTTP functions are not in the OpenAPI document: {string.Join(", ", undocumented)}. "
            + $"Describe them in ApiDescription, then regenerate with `{Regenerate}`.");
    }

    [Fact]
    public void The_sample_receipts_with_lines_meet_the_receipt_schema_and_those_without_do_not()
    {
        var samples = File.ReadLines(Path.Combine(RepositoryRoot, "samples", "receipts.jsonl"))
            .Where(line => line.Length > 0)
            .Select(line => JsonNode.Parse(line)!)
            .ToList();
        var withLines = samples.Where(receipt => receipt["lines"]!.AsArray().Count > 0).ToList();

        var failures = withLines
            .Select(receipt => (Receipt: (string?)receipt["receiptNumber"], Result: ReceiptSchema.Value.Evaluate(receipt, Evaluation)))
            .Where(evaluation => !evaluation.Result.IsValid)
            .Select(evaluation => $"{evaluation.Receipt}: {Describe(evaluation.Result)}")
            .ToList();

        Assert.Equal(178, withLines.Count);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.All(samples.Except(withLines), receipt => Assert.False(ReceiptSchema.Value.Evaluate(receipt, Evaluation).IsValid));
    }

    [Theory]
    [InlineData("issuedAt without an offset")]
    [InlineData("501 lines")]
    [InlineData("a store id with a space")]
    [InlineData("a chain id with a non-ASCII letter")]
    [InlineData("an amount with three decimals")]
    [InlineData("a quantity of zero")]
    [InlineData("a currency other than CNY")]
    [InlineData("no total")]
    public void A_receipt_that_breaks_a_rule_does_not_meet_the_receipt_schema(string rule)
    {
        var receipt = FirstSampleWithLines();
        var lines = receipt["lines"]!.AsArray();
        switch (rule)
        {
            case "issuedAt without an offset":
                receipt["issuedAt"] = "2026-03-15T10:42:11";
                break;
            case "501 lines":
                var line = lines[0]!;
                lines.Clear();
                for (var lineNumber = 1; lineNumber <= 501; lineNumber++)
                {
                    var copy = line.DeepClone();
                    copy["lineNumber"] = lineNumber;
                    lines.Add(copy);
                }

                break;
            case "a store id with a space":
                receipt["storeId"] = "SH 0012";
                break;
            case "a chain id with a non-ASCII letter":
                receipt["chainId"] = "华联";
                break;
            case "an amount with three decimals":
                lines[0]!["amount"] = 1.005m;
                break;
            case "a quantity of zero":
                lines[0]!["quantity"] = 0;
                break;
            case "a currency other than CNY":
                receipt["currency"] = "USD";
                break;
            case "no total":
                receipt.Remove("total");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule, "No such case.");
        }

        Assert.False(ReceiptSchema.Value.Evaluate(receipt, Evaluation).IsValid, $"A receipt with {rule} met the schema.");
    }

    [Fact]
    public void The_schemas_are_generated_with_the_serializer_options_of_the_app()
    {
        var services = new ServiceCollection();
        services.AddPosGreenPoints(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        var app = provider.GetRequiredService<IOptions<MvcJsonOptions>>().Value.JsonSerializerOptions;
        var wire = ApiDescription.WireOptions;

        Assert.Equal(
            (app.PropertyNamingPolicy, app.DictionaryKeyPolicy, app.DefaultIgnoreCondition, app.NumberHandling, app.IncludeFields,
                app.IgnoreReadOnlyProperties, app.RespectNullableAnnotations, app.RespectRequiredConstructorParameters, app.UnmappedMemberHandling, app.Converters.Count),
            (wire.PropertyNamingPolicy, wire.DictionaryKeyPolicy, wire.DefaultIgnoreCondition, wire.NumberHandling, wire.IncludeFields,
                wire.IgnoreReadOnlyProperties, wire.RespectNullableAnnotations, wire.RespectRequiredConstructorParameters, wire.UnmappedMemberHandling, wire.Converters.Count));
    }

    private static void AssertCommitted(string path, string generated)
    {
        var committed = File.Exists(path) ? File.ReadAllText(path) : null;
        if (committed == generated)
        {
            return;
        }

        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
            return;
        }

        Assert.Fail($"{Relative(path)} {(committed is null ? "is missing" : FirstDifference(committed, generated))}. "
            + $"It is generated from the wire types by ApiDescription: regenerate it with `{Regenerate}` (from the repository root) and commit the result.");
    }

    private static string FirstDifference(string committed, string generated)
    {
        var committedLines = committed.Split('\n');
        var generatedLines = generated.Split('\n');
        var line = 0;
        while (line < committedLines.Length && line < generatedLines.Length && committedLines[line] == generatedLines[line])
        {
            line++;
        }

        return $"is not what is generated now; first difference at line {line + 1}: committed `{Line(committedLines, line)}`, generated `{Line(generatedLines, line)}`";
    }

    private static string Line(string[] lines, int index) => index < lines.Length ? lines[index].Trim() : "(end of file)";

    private static string Describe(EvaluationResults result) =>
        string.Join("; ", result.Details
            .Where(detail => detail.HasErrors)
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation} {error.Key}: {error.Value}")));

    private static JsonObject FirstSampleWithLines() =>
        File.ReadLines(Path.Combine(RepositoryRoot, "samples", "receipts.jsonl"))
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .First(receipt => receipt["lines"]!.AsArray().Count > 0);

    private static string Relative(string path) => Path.GetRelativePath(RepositoryRoot, path);

    private static string FindRepositoryRoot()
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

    // {id:int}, {id?}, {*rest}, {id=default}: the document names a parameter without its constraint.
    [GeneratedRegex(@"\{\*{0,2}(?<name>\w+)[^}]*\}")]
    private static partial Regex RouteConstraint();
}
