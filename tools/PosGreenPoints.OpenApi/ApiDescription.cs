using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Activities;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Contracts.Health;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Poison;
using PosGreenPoints.Contracts.ProductLists;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;

namespace PosGreenPoints.OpenApi;

/// <summary>
/// The OpenAPI 3.1 description of the whole public API (api.md), and standalone JSON Schemas of its main
/// bodies, generated from the wire types, <see cref="Limits"/>, <see cref="Ids"/> and, for who may call
/// each operation, the app's <see cref="AccessPolicy"/>. The generated files are committed in <c>contracts/</c> and kept
/// equal to this by a unit test (<c>UPDATE_CONTRACTS=1</c> rewrites them); the app serves the committed
/// document at <c>GET /api/openapi.json</c>.
/// </summary>
public static partial class ApiDescription
{
    public const string SchemaBaseUri = "https://posgreenpoints.cn/schemas/";

    private const string JsonSchemaDialect = "https://json-schema.org/draft/2020-12/schema";
    private const string ApiKeyScheme = "apiKey";
    private const string ApiKeyHeader = "X-Api-Key";
    private const string ProblemJson = "application/problem+json";
    private const string ProblemDetails = "ProblemDetails";
    private const string ProductListProblem = "ProductListProblemDetails";

    // RFC 3339 with an offset, as the receipt validator reads it; ASCII digits only, as there.
    private const string InstantPattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";
    private const string Sha256Pattern = "^[0-9a-f]{64}$";
    private const string TwoDecimalsPattern = "^-?[0-9]+\\.[0-9]{2}$";

    private static readonly JsonSerializerOptions FileFormat = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Patterns and descriptions stay legible: '+' and '–' as themselves, not \u002B and \u2013.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly Lazy<XmlDocumentation> Documentation = new(() => XmlDocumentation.Load(typeof(ReceiptSubmission).Assembly));

    /// <summary>The serializer options the app reads and writes its bodies with (<c>ServiceRegistration</c>).</summary>
    public static JsonSerializerOptions WireOptions { get; } = CreateWireOptions();

    /// <summary>The types whose standalone JSON Schemas are committed in <c>contracts/schemas</c>: the request bodies and the main answers.</summary>
    public static IReadOnlyList<Type> StandaloneSchemaTypes { get; } =
    [
        typeof(ReceiptSubmission),
        typeof(BatchSubmission),
        typeof(ReceiptAccepted),
        typeof(BatchResult),
        typeof(ReceiptStatusView),
        typeof(ActivitySubmission),
        typeof(ActivityBatchSubmission),
        typeof(ActivityAccepted),
        typeof(ActivityBatchResult),
        typeof(ActivityStatusView),
        typeof(AdjustmentRequest),
        typeof(AdjustmentResult),
        typeof(MemberPointsView),
        typeof(StatementView),
        typeof(LotsView),
        typeof(WalletMigrationResult),
        typeof(SettlementManifest),
        typeof(ClearingManifest),
        typeof(ClearingReport),
        typeof(ChainRegistration),
        typeof(CreateClientRequest),
        typeof(CreatedClient),
    ];

    /// <summary>The OpenAPI 3.1 document.</summary>
    public static JsonObject BuildDocument()
    {
        var operations = new Operations();
        var paths = operations.Paths();
        var wireSchemas = NewWireSchemas();
        var schemas = wireSchemas.Generate(operations.SchemaTypes, "#/components/schemas/");
        if (wireSchemas.UnappliedConstraints().ToList() is { Count: > 0 } unapplied)
        {
            throw new InvalidOperationException(
                $"These constraints apply to nothing in the document (a renamed property, or a type no operation uses): {string.Join(", ", unapplied)}.");
        }

        var components = new JsonObject();
        schemas.Add(ProblemDetails, ProblemDetailsSchema());
        schemas.Add(ProductListProblem, ProductListProblemSchema());
        foreach (var (name, schema) in schemas)
        {
            components[name] = schema;
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "PosGreenPoints",
                ["version"] = "v1",
                ["description"] =
                    "The HTTP API of the PosGreenPoints green-consumption-points scheme (绿色消费积分): POS vendors post sale and "
                    + "return receipts and read their points, retail chains download their daily settlement files, the scheme's "
                    + "consumer app reads members' balances, operators administer chains, API clients and product lists.\n\n"
                    + $"Every route except `GET /api/health` and this document needs an API key in the `{ApiKeyHeader}` header: a "
                    + "missing or unknown key gets 401, a key outside its role or chain scope 403 (or 404 for a read, the same for "
                    + "present and absent objects). JSON is UTF-8 and camelCase; unknown properties are ignored; money is decimal. "
                    + "Errors are RFC 9457 problem details (`application/problem+json`) with a stable `type` URI per error kind and, "
                    + "for validation failures, `errors` by JSON path (`lines[2].gtin`). A request over a limit gets 413 (body size) "
                    + "or 400 (counts); every 5xx is a bug, except 503 when storage does not answer. Every error is a problem, "
                    + "those before any operation too: an unknown route 404 (`not-found`), a method the path is not served with 405 "
                    + "(`method-not-allowed`, with `Allow`), headers that arrive too slowly 408 (`request-timeout`), an oversize header "
                    + "section 431 (`header-fields-too-large`), a control character in the path 400 (`malformed-request`), a bug 500 "
                    + "(`internal-error`). Every answer carries `X-Content-Type-Options: nosniff`, every answer to a request that needs "
                    + "a key `Cache-Control: no-store`.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "http://localhost:7071", ["description"] = "A local run (README.md)." }),
            ["security"] = new JsonArray(new JsonObject { [ApiKeyScheme] = new JsonArray() }),
            ["tags"] = new JsonArray(
                Tag(Tags.Receipts, $"Post sale and return receipts and read their status and points ({TagRoles(paths, Tags.Receipts)})."),
                Tag(Tags.Activities, $"Post low-carbon service activities (trips, rides, recycling, trade-ins) and read their points ({TagRoles(paths, Tags.Activities)})."),
                Tag(Tags.Members, $"Read a member's points balance ({TagRoles(paths, Tags.Members)})."),
                Tag(Tags.Redemptions, $"Spend points at a till or gate: member codes, reserve, commit, cancel, refund ({TagRoles(paths, Tags.Redemptions)})."),
                Tag(Tags.Settlements, $"Read a chain's daily settlement manifests and files ({TagRoles(paths, Tags.Settlements)})."),
                Tag(Tags.Clearing, $"Read a chain's daily clearing manifests and files: who owes whom for points redeemed across chains ({TagRoles(paths, Tags.Clearing)})."),
                Tag(Tags.Admin, $"Chains, API clients, product lists, settlement and clearing runs, the clearing report and failed messages ({TagRoles(paths, Tags.Admin)})."),
                Tag(Tags.Service, "Health and this document; no API key needed.")),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = components,
                ["responses"] = Operations.SharedResponses(),
                ["securitySchemes"] = new JsonObject
                {
                    [ApiKeyScheme] = new JsonObject
                    {
                        ["type"] = "apiKey",
                        ["in"] = "header",
                        ["name"] = ApiKeyHeader,
                        ["description"] = "A client's key, shown once when an operator creates the client (`POST /api/v1/admin/clients`).",
                    },
                },
            },
        };
    }

    /// <summary>A standalone JSON Schema (draft 2020-12) of <paramref name="type"/>, the wire types inside it in <c>$defs</c>.</summary>
    public static JsonObject BuildSchema(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var schemas = NewWireSchemas().Generate([type], "#/$defs/");
        var root = schemas[type.Name];
        schemas.Remove(type.Name);

        var keywords = root.ToList();
        root.Clear();
        var document = new JsonObject
        {
            ["$schema"] = JsonSchemaDialect,
            ["$id"] = SchemaBaseUri + SchemaFileName(type),
            ["title"] = type.Name,
        };
        foreach (var (name, value) in keywords)
        {
            document[name] = value;
        }

        if (schemas.Count > 0)
        {
            var definitions = new JsonObject();
            foreach (var (name, schema) in schemas)
            {
                definitions[name] = schema;
            }

            document["$defs"] = definitions;
        }

        return WireSchemas.Ordered(document);
    }

    /// <summary>The committed file name of <paramref name="type"/>'s standalone schema: <c>receipt-submission.schema.json</c>.</summary>
    public static string SchemaFileName(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return WordStart().Replace(type.Name, "-").ToLowerInvariant() + ".schema.json";
    }

    /// <summary>The committed text of a generated document: indented by two, LF line ends, a final newline.</summary>
    public static string ToFileText(JsonNode document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.ToJsonString(FileFormat) + "\n";
    }

    private static JsonSerializerOptions CreateWireOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static WireSchemas NewWireSchemas() =>
        new(WireOptions, Documentation.Value, PropertyConstraints());

    /// <summary>
    /// What the app enforces beyond what a C# type can say (api.md: Receipts, Admin; settlement.md), by wire
    /// type and JSON property name, so that a vendor's generated client or validator sees the real rules.
    /// The GS1 check digit, the amount arithmetic and the age of <c>issuedAt</c> cannot be said in a schema;
    /// the descriptions say them. An entry that matches no property fails the generation.
    /// </summary>
    private static Dictionary<(Type Type, string Property), JsonObject> PropertyConstraints() => new()
    {
        [(typeof(ReceiptSubmission), "chainId")] = Identifier(),
        [(typeof(ReceiptSubmission), "storeId")] = Identifier(),
        [(typeof(ReceiptSubmission), "terminalId")] = Identifier(),
        [(typeof(ReceiptSubmission), "receiptNumber")] = Identifier(),
        [(typeof(ReceiptSubmission), "issuedAt")] = new() { ["pattern"] = InstantPattern },
        [(typeof(ReceiptSubmission), "currency")] = OneOf("CNY"),
        [(typeof(ReceiptSubmission), "type")] = OneOf(ReceiptTypes.Sale, ReceiptTypes.Return),
        [(typeof(ReceiptSubmission), "memberId")] = DotlessIdentifier(),
        [(typeof(ReceiptSubmission), "lines")] = new() { ["minItems"] = 1, ["maxItems"] = Limits.MaxLinesPerReceipt },
        [(typeof(ReceiptSubmission), "total")] = Money(),
        [(typeof(OriginalReceiptReference), "storeId")] = Identifier(),
        [(typeof(OriginalReceiptReference), "terminalId")] = Identifier(),
        [(typeof(OriginalReceiptReference), "receiptNumber")] = Identifier(),
        [(typeof(OriginalReceiptReference), "issuedAt")] = new() { ["pattern"] = InstantPattern },
        [(typeof(ReceiptLineSubmission), "lineNumber")] = new() { ["minimum"] = 1 },
        [(typeof(ReceiptLineSubmission), "gtin")] = new() { ["pattern"] = "^([0-9]{8}|[0-9]{12,14})$" },
        [(typeof(ReceiptLineSubmission), "sku")] = new() { ["pattern"] = "^\\S(.*\\S)?$", ["minLength"] = 1, ["maxLength"] = Limits.MaxSkuLength },
        [(typeof(ReceiptLineSubmission), "description")] = new() { ["maxLength"] = Limits.MaxDescriptionLength },
        [(typeof(ReceiptLineSubmission), "quantity")] = new() { ["exclusiveMinimum"] = 0, ["maximum"] = Limits.MaxQuantity, ["multipleOf"] = Step(Limits.QuantityDecimals) },
        [(typeof(ReceiptLineSubmission), "unitPrice")] = Money(),
        [(typeof(ReceiptLineSubmission), "discount")] = Money(),
        [(typeof(ReceiptLineSubmission), "amount")] = Money(),
        [(typeof(ReceiptLineSubmission), "originalLineNumber")] = new() { ["minimum"] = 1 },
        [(typeof(BatchSubmission), "receipts")] = new() { ["minItems"] = 1, ["maxItems"] = Limits.MaxReceiptsPerBatch },
        [(typeof(ReceiptAccepted), "status")] = OneOf(ReceiptStatuses.Accepted, ReceiptStatuses.Scored, ReceiptStatuses.Failed),
        [(typeof(BatchItemResult), "status")] = OneOf(BatchItemStatuses.Accepted, BatchItemStatuses.Duplicate, BatchItemStatuses.Rejected),
        [(typeof(ReceiptStatusView), "type")] = OneOf(ReceiptTypes.Sale, ReceiptTypes.Return),
        [(typeof(ReceiptStatusView), "status")] = OneOf(ReceiptStatuses.Accepted, ReceiptStatuses.Scored, ReceiptStatuses.Failed),
        [(typeof(ChainRegistration), "name")] = new() { ["minLength"] = 1, ["maxLength"] = Limits.MaxChainNameLength },
        [(typeof(ChainRegistration), "kind")] = OneOf(ChainKinds.Retail, ChainKinds.Service),
        [(typeof(ChainView), "kind")] = OneOf(ChainKinds.Retail, ChainKinds.Service),
        [(typeof(ActivitySubmission), "chainId")] = Identifier(),
        [(typeof(ActivitySubmission), "storeId")] = Identifier(),
        [(typeof(ActivitySubmission), "terminalId")] = Identifier(),
        [(typeof(ActivitySubmission), "activityId")] = Identifier(),
        [(typeof(ActivitySubmission), "type")] = new() { ["pattern"] = "^[a-z0-9-]{1,64}$" },
        [(typeof(ActivitySubmission), "memberId")] = DotlessIdentifier(),
        [(typeof(ActivitySubmission), "quantity")] = new() { ["exclusiveMinimum"] = 0, ["maximum"] = Limits.MaxQuantity, ["multipleOf"] = Step(Limits.QuantityDecimals) },
        [(typeof(ActivitySubmission), "occurredAt")] = new() { ["pattern"] = InstantPattern },
        [(typeof(ActivityBatchSubmission), "activities")] = new() { ["minItems"] = 1, ["maxItems"] = Limits.MaxActivitiesPerBatch },
        [(typeof(ActivityAccepted), "status")] = OneOf(ReceiptStatuses.Accepted, ReceiptStatuses.Scored, ReceiptStatuses.Failed),
        [(typeof(ActivityBatchItemResult), "status")] = OneOf(BatchItemStatuses.Accepted, BatchItemStatuses.Duplicate, BatchItemStatuses.Rejected),
        [(typeof(ActivityStatusView), "status")] = OneOf(ReceiptStatuses.Accepted, ReceiptStatuses.Scored, ReceiptStatuses.Failed),
        [(typeof(AdjustmentRequest), "adjustmentId")] = Identifier(),
        [(typeof(AdjustmentRequest), "chainId")] = Identifier(),
        [(typeof(AdjustmentRequest), "reason")] = new() { ["minLength"] = 1, ["maxLength"] = Limits.MaxAdjustmentReasonLength },
        [(typeof(CreateClientRequest), "clientId")] = DotlessIdentifier(),
        [(typeof(CreateClientRequest), "role")] = OneOf(RoleNamesInOrder()),
        [(typeof(CreatedClient), "role")] = OneOf(RoleNamesInOrder()),
        [(typeof(HealthReport), "status")] = OneOf(HealthReport.Healthy, HealthReport.Unhealthy),
        [(typeof(HealthCheckResult), "status")] = OneOf(HealthReport.Healthy, HealthReport.Unhealthy),
        [(typeof(SettlementManifest), "schemaVersion")] = new() { ["const"] = 1 },
        [(typeof(SettlementManifest), "qualifyingAmount")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(StoreSettlement), "qualifyingAmount")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(SettlementFile), "sha256")] = new() { ["pattern"] = Sha256Pattern },
        [(typeof(ClearingManifest), "schemaVersion")] = new() { ["const"] = 1 },
        [(typeof(ClearingManifest), "receivable")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingManifest), "payable")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingManifest), "net")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingManifest), "outstandingValue")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingCounterparty), "receivable")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingCounterparty), "payable")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingCounterparty), "net")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingFile), "sha256")] = new() { ["pattern"] = Sha256Pattern },
        [(typeof(ClearingReport), "totalNet")] = new() { ["const"] = "0.00" },
        [(typeof(ClearingReport), "outstandingValue")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingReportChain), "receivable")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingReportChain), "payable")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ClearingReportChain), "net")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(ProductListVersion), "sha256")] = new() { ["pattern"] = Sha256Pattern },
        [(typeof(RedemptionRequest), "chainId")] = Identifier(),
        [(typeof(RedemptionRequest), "storeId")] = Identifier(),
        [(typeof(RedemptionRequest), "terminalId")] = Identifier(),
        [(typeof(RedemptionRequest), "redemptionId")] = Identifier(),
        [(typeof(RedemptionRequest), "memberCode")] = new() { ["pattern"] = $"^[0-9]{{{Limits.MemberCodeDigits}}}$" },
        [(typeof(RedemptionRequest), "memberId")] = DotlessIdentifier(),
        [(typeof(RedemptionRequest), "points")] = new() { ["minimum"] = 1 },
        [(typeof(RedemptionRequest), "purpose")] = OneOf(RedemptionPurposes.Discount, RedemptionPurposes.Service),
        [(typeof(RedemptionRequest), "reason")] = new() { ["minLength"] = 1, ["maxLength"] = Limits.MaxReasonLength },
        [(typeof(RedemptionReceipt), "storeId")] = Identifier(),
        [(typeof(RedemptionReceipt), "terminalId")] = Identifier(),
        [(typeof(RedemptionReceipt), "receiptNumber")] = Identifier(),
        [(typeof(RefundRequest), "refundId")] = Identifier(),
        [(typeof(RefundRequest), "points")] = new() { ["minimum"] = 1 },
        [(typeof(RedemptionView), "status")] = OneOf(RedemptionStatuses.Reserved, RedemptionStatuses.Committed, RedemptionStatuses.Cancelled, RedemptionStatuses.Lapsed),
        [(typeof(RedemptionView), "value")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(RedemptionView), "yuanPerPoint")] = new() { ["pattern"] = TwoDecimalsPattern },
        [(typeof(MemberCodeIssued), "code")] = new() { ["pattern"] = $"^[0-9]{{{Limits.MemberCodeDigits}}}$" },
    };

    private static JsonObject Identifier() =>
        new() { ["pattern"] = Ids.Pattern, ["minLength"] = 1, ["maxLength"] = Ids.MaxLength };

    private static JsonObject DotlessIdentifier() =>
        new() { ["pattern"] = Ids.DotlessPattern, ["minLength"] = 1, ["maxLength"] = Ids.MaxLength };

    private static JsonObject Money() =>
        new() { ["minimum"] = 0, ["maximum"] = Limits.MaxMoney, ["multipleOf"] = Step(Limits.MoneyDecimals) };

    /// <summary>The JSON Schema <c>multipleOf</c> of a number with at most <paramref name="decimals"/> places: 0.01 for two.</summary>
    private static decimal Step(int decimals) => new(1, 0, 0, false, (byte)decimals);

    private static JsonObject OneOf(params string[] values) =>
        new() { ["enum"] = new JsonArray([.. values.Select(value => JsonValue.Create(value))]) };

    private static JsonObject Tag(string name, string description) => new() { ["name"] = name, ["description"] = description };

    private static string[] RoleNamesInOrder() => [.. Enum.GetValues<Role>().Select(RoleNames.ToName)];

    private static string Code(Role role) => $"`{RoleNames.ToName(role)}`";

    /// <summary>"roles `pos`, `chain` and `operator`": every role that may call one of the tag's operations.</summary>
    private static string TagRoles(JsonObject paths, string tag)
    {
        var roles = paths
            .SelectMany(path => path.Value!.AsObject().Select(operation => operation.Value!))
            .Where(operation => operation["tags"]!.AsArray().Any(name => (string?)name == tag))
            .SelectMany(operation => AccessFor((string)operation["operationId"]!).Roles)
            .Distinct()
            .Order()
            .Select(Code)
            .ToList();
        return (roles.Count == 1 ? "role " : "roles ") + Enumeration(roles);
    }

    private static Access AccessFor(string operationId) =>
        AccessPolicy.Find(operationId) ?? throw new InvalidOperationException($"AccessPolicy has no row for the operation {operationId}: add one.");

    /// <summary>Who may call the operation, from <see cref="AccessPolicy"/>: the first sentence of its description.</summary>
    private static string AccessSentence(Access access)
    {
        if (access.IsAnonymous)
        {
            return "Anonymous.";
        }

        var roles = access.Roles.Order().Select(Code).ToList();
        var sentence = (roles.Count == 1 ? "Role " : "Roles ") + Enumeration(roles) + ".";
        var scoped = access.Roles.Where(role => role is Role.Pos or Role.Chain).Order().Select(Code).ToList();
        if (access.MemberScoped)
        {
            return $"{sentence} {Enumeration(scoped)} keys only for members with a posting at one of their chains.";
        }

        return !access.ChainScoped || scoped.Count == 0
            ? sentence
            : scoped.Count == 1
                ? $"{sentence} A {scoped[0]} key only for the chains in its scope."
                : $"{sentence} {Enumeration(scoped)} keys only for the chains in their scope.";
    }

    /// <summary>"a", "a and b", "a, b and c".</summary>
    private static string Enumeration(List<string> items) =>
        items.Count <= 1 ? string.Concat(items) : $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}";

    private static JsonObject ProblemDetailsSchema() => new()
    {
        ["description"] = "An RFC 9457 problem details object: the body of every error answer.",
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject
            {
                ["description"] = "A stable URI per error kind, under `https://posgreenpoints.cn/problems/` (`validation`, `receipt-conflict`, …): branch on it, never on the title.",
                ["type"] = "string",
                ["format"] = "uri",
            },
            ["title"] = new JsonObject { ["description"] = "A short human summary of the error kind.", ["type"] = "string" },
            ["status"] = new JsonObject { ["description"] = "The HTTP status code.", ["type"] = "integer", ["format"] = "int32" },
            ["detail"] = new JsonObject { ["description"] = "What went wrong in this request, for a human.", ["type"] = "string" },
            ["errors"] = new JsonObject
            {
                ["description"] = "For validation failures: the messages by the JSON path of each invalid field (`lines[2].gtin`, `$` for the whole body).",
                ["type"] = "object",
                ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            },
        },
        ["required"] = new JsonArray("type", "title", "status"),
    };

    // The row errors are the validator's own type in the app, not a wire type here, so they are written out.
    private static JsonObject ProductListProblemSchema() => new()
    {
        ["description"] = "The problem details of a product list that was not published, with its invalid rows.",
        ["allOf"] = new JsonArray(
            new JsonObject { ["$ref"] = "#/components/schemas/" + ProblemDetails },
            new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["rowErrors"] = new JsonObject
                    {
                        ["description"] = "The first 100 invalid rows.",
                        ["type"] = "array",
                        ["items"] = new JsonObject
                        {
                            ["type"] = "object",
                            ["properties"] = new JsonObject
                            {
                                ["row"] = new JsonObject { ["description"] = "The data row: 1 is the first record after the header; 0 is the header or the whole file.", ["type"] = "integer", ["format"] = "int32" },
                                ["column"] = new JsonObject { ["description"] = "The column, where one is at fault.", ["type"] = "string" },
                                ["reason"] = new JsonObject { ["description"] = "What is wrong.", ["type"] = "string" },
                            },
                            ["required"] = new JsonArray("row", "reason"),
                        },
                    },
                    ["rowErrorCount"] = new JsonObject { ["description"] = "Every problem found, beyond the first 100 too.", ["type"] = "integer", ["format"] = "int32" },
                },
            }),
    };

    [GeneratedRegex("(?<!^)(?=[A-Z][a-z])")]
    private static partial Regex WordStart();

    private static class Tags
    {
        public const string Receipts = "Receipts";
        public const string Activities = "Activities";
        public const string Members = "Members";
        public const string Redemptions = "Redemptions";
        public const string Settlements = "Settlements";
        public const string Clearing = "Clearing";
        public const string Admin = "Admin";
        public const string Service = "Service";
    }

    /// <summary>The paths of api.md, collecting the wire types their bodies use.</summary>
    private sealed class Operations
    {
        private static readonly string MaxReceiptBody = Limits.Describe(Limits.MaxReceiptBodyBytes);
        private static readonly string MaxBatchBody = Limits.Describe(Limits.MaxBatchBodyBytes);
        private static readonly string MaxAdminBody = Limits.Describe(Limits.MaxAdminBodyBytes);
        private static readonly string MaxActivityBody = Limits.Describe(Limits.MaxActivityBodyBytes);
        private static readonly string MaxActivityBatchBody = Limits.Describe(Limits.MaxActivityBatchBodyBytes);
        private static readonly string MaxProductListBody = Limits.Describe(Limits.MaxProductListBodyBytes);
        private static readonly string MaxPublishBody = Limits.Describe(Limits.MaxProductListPublishBodyBytes);

        private readonly HashSet<Type> _schemaTypes = [];

        public IEnumerable<Type> SchemaTypes => _schemaTypes.OrderBy(type => type.Name, StringComparer.Ordinal);

        public JsonObject Paths() => new()
        {
            ["/api/v1/receipts"] = new JsonObject { ["post"] = PostReceipt() },
            ["/api/v1/receipts/batch"] = new JsonObject { ["post"] = PostReceiptBatch() },
            ["/api/v1/receipts/{receiptId}"] = new JsonObject { ["get"] = GetReceipt() },
            ["/api/v1/activities"] = new JsonObject { ["post"] = PostActivity() },
            ["/api/v1/activities/batch"] = new JsonObject { ["post"] = PostActivityBatch() },
            ["/api/v1/activities/{id}"] = new JsonObject { ["get"] = GetActivity() },
            ["/api/v1/members/{memberId}/points"] = new JsonObject { ["get"] = GetMemberPoints() },
            ["/api/v1/members/{memberId}/statement"] = new JsonObject { ["get"] = GetMemberStatement() },
            ["/api/v1/members/{memberId}/lots"] = new JsonObject { ["get"] = GetMemberLots() },
            ["/api/v1/members/{memberId}/codes"] = new JsonObject { ["post"] = IssueMemberCode() },
            ["/api/v1/members/by-code/{code}/points"] = new JsonObject { ["get"] = GetMemberPointsByCode() },
            ["/api/v1/redemptions"] = new JsonObject { ["post"] = ReserveRedemption() },
            ["/api/v1/redemptions/{chainId}/{redemptionId}/commit"] = new JsonObject { ["post"] = CommitRedemption() },
            ["/api/v1/redemptions/{chainId}/{redemptionId}/cancel"] = new JsonObject { ["post"] = CancelRedemption() },
            ["/api/v1/redemptions/{chainId}/{redemptionId}/refunds"] = new JsonObject { ["post"] = RefundRedemption() },
            ["/api/v1/redemptions/{chainId}/{redemptionId}"] = new JsonObject { ["get"] = GetRedemption() },
            ["/api/v1/settlements/{chainId}"] = new JsonObject { ["get"] = ListSettlements() },
            ["/api/v1/settlements/{chainId}/{date}"] = new JsonObject { ["get"] = GetSettlement() },
            ["/api/v1/settlements/{chainId}/{date}/file"] = new JsonObject { ["get"] = GetSettlementFile() },
            ["/api/v1/clearing/{chainId}"] = new JsonObject { ["get"] = ListClearing() },
            ["/api/v1/clearing/{chainId}/{date}"] = new JsonObject { ["get"] = GetClearing() },
            ["/api/v1/clearing/{chainId}/{date}/file"] = new JsonObject { ["get"] = GetClearingFile() },
            ["/api/v1/admin/chains/{chainId}"] = new JsonObject { ["put"] = AdminPutChain() },
            ["/api/v1/admin/clients"] = new JsonObject { ["post"] = AdminCreateClient() },
            ["/api/v1/admin/clients/{clientId}"] = new JsonObject { ["delete"] = AdminRevokeClient() },
            ["/api/v1/admin/product-lists"] = new JsonObject { ["get"] = AdminListProductLists() },
            ["/api/v1/admin/product-lists/{listId}"] = new JsonObject { ["put"] = AdminPutProductList() },
            ["/api/v1/admin/product-lists/{listId}/uploads"] = new JsonObject { ["post"] = AdminCreateProductListUpload() },
            ["/api/v1/admin/product-lists/{listId}/publish"] = new JsonObject { ["post"] = AdminPublishProductList() },
            ["/api/v1/admin/settlements/{chainId}/{date}/run"] = new JsonObject { ["post"] = AdminRunSettlement() },
            ["/api/v1/admin/poison"] = new JsonObject { ["get"] = AdminGetPoison() },
            ["/api/v1/admin/poison/replay"] = new JsonObject { ["post"] = AdminReplayPoison() },
            ["/api/v1/admin/wallets/migrate"] = new JsonObject { ["post"] = AdminMigrateWallets() },
            ["/api/v1/admin/clearing/{date}"] = new JsonObject { ["get"] = AdminGetClearingReport() },
            ["/api/v1/admin/clearing/{date}/run"] = new JsonObject { ["post"] = AdminRunClearing() },
            ["/api/v1/admin/members/{memberId}/adjustments"] = new JsonObject { ["post"] = AdminPostAdjustment() },
            ["/api/health"] = new JsonObject { ["get"] = Health() },
            ["/api/openapi.json"] = new JsonObject { ["get"] = GetOpenApiDocument() },
        };

        /// <summary>The problem answers most operations share, under <c>#/components/responses</c>.</summary>
        public static JsonObject SharedResponses() => new()
        {
            [Shared.Invalid] = Problem(
                "The request is not valid: `errors` names each invalid field by its JSON path (problem type `validation`), "
                + "or the body is not readable JSON (`malformed-request`). Nothing was stored."),
            [Shared.Unauthenticated] = Problem(
                $"The `{ApiKeyHeader}` header is missing, or the key is unknown or revoked (`unauthenticated`).",
                new JsonObject { ["WWW-Authenticate"] = Header($"`ApiKey header=\"{ApiKeyHeader}\"`.", String()) }),
            [Shared.Forbidden] = Problem("The key's role, or its chain scope, does not allow this (`forbidden`)."),
            [Shared.NotFound] = Problem("There is no such object, or it is outside the key's scope: the two are not told apart (`not-found`)."),
            [Shared.TooLarge] = Problem("The body is over the operation's limit (`payload-too-large`)."),
            [Shared.UnsupportedMediaType] = Problem("The body's content type is not the one the operation reads (`unsupported-media-type`)."),
            [Shared.StorageUnavailable] = Problem(
                "Storage did not answer; nothing was changed (`storage-unavailable`). Retry later.",
                new JsonObject { ["Retry-After"] = Header("Seconds to wait before retrying.", new JsonObject { ["type"] = "integer" }) }),
        };

        private JsonObject PostReceipt() => Operation(
            "PostReceipt", Tags.Receipts, "Post one receipt",
            "A receipt's natural key is (chainId, storeId, terminalId, "
            + "receiptNumber, business date), the business date being `issuedAt` in the chain's time zone. 202 is sent only once the "
            + $"receipt is durably stored and queued. Body at most {MaxReceiptBody}.",
            requestBody: JsonBody(typeof(ReceiptSubmission), "The receipt, as the till sends it."),
            responses: new()
            {
                ["200"] = Answer("The same receipt was posted before with the same content: the original `receiptId`, its current status and `duplicate: true`. Nothing was queued.", Schema(typeof(ReceiptAccepted))),
                ["202"] = Answer("Stored and queued for scoring.", Schema(typeof(ReceiptAccepted)), new JsonObject { ["Location"] = Header("The receipt's `statusUrl`.", UriReference()) }),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["409"] = Problem("A receipt with the same key but different content exists (`receipt-conflict`); a receipt is never changed: post a return to correct a sale."),
                ["413"] = Shared.Ref(Shared.TooLarge),
                ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
                ["422"] = Problem("The receipt's chain is not registered (`chain-not-registered`), or is a service chain, which posts activities (`chain-kind-mismatch`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject PostReceiptBatch() => Operation(
            "PostReceiptBatch", Tags.Receipts, "Post many receipts",
            $"1–{Limits.MaxReceiptsPerBatch} receipts, each validated and stored on its own: one bad receipt does not "
            + $"reject the others. Only a malformed envelope is a 400. Body at most {MaxBatchBody}.",
            requestBody: JsonBody(typeof(BatchSubmission), "The receipts."),
            responses: new()
            {
                ["200"] = Answer("One result per posted receipt, in input order.", Schema(typeof(BatchResult))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["413"] = Shared.Ref(Shared.TooLarge),
                ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject GetReceipt() => Operation(
            "GetReceipt", Tags.Receipts, "Read a receipt",
            "`points` is signed: negative for a return. "
            + "`memberId` is shown only to operators and to the API client that posted the receipt; others see `memberRef`.",
            parameters: [PathParameter("receiptId", "The `receiptId` the post answered.", String())],
            responses: new()
            {
                ["200"] = Answer("The receipt, its status and, once scored, its points line by line.", Schema(typeof(ReceiptStatusView))),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["404"] = Shared.Ref(Shared.NotFound),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject PostActivity() => Operation(
            "PostActivity", Tags.Activities, "Post one activity",
            "A trip, ride, recycling drop or trade-in by a member, from a retail or service chain. Its natural key is (chainId, storeId, "
            + "terminalId, activityId, business date), the business date being `occurredAt` in the chain's time zone; `type` must be an "
            + "activity type of the points rules, `quantity` at most its `maxQuantity`. 202 is sent only once the activity is durably "
            + $"stored and queued. Body at most {MaxActivityBody}.",
            requestBody: JsonBody(typeof(ActivitySubmission), "The activity, as the gate or device sends it."),
            responses: new()
            {
                ["200"] = Answer("The same activity was posted before with the same content: the original `id`, its current status and `duplicate: true`. Nothing was queued.", Schema(typeof(ActivityAccepted))),
                ["202"] = Answer("Stored and queued for scoring.", Schema(typeof(ActivityAccepted)), new JsonObject { ["Location"] = Header("The activity's `statusUrl`.", UriReference()) }),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["409"] = Problem("An activity with the same key but different content exists (`activity-conflict`); an activity is never changed."),
                ["413"] = Shared.Ref(Shared.TooLarge),
                ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
                ["422"] = Problem("The activity's chain is not registered (`chain-not-registered`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject PostActivityBatch() => Operation(
            "PostActivityBatch", Tags.Activities, "Post many activities",
            $"1–{Limits.MaxActivitiesPerBatch} activities, each validated and stored on its own: one bad activity does not "
            + $"reject the others. Only a malformed envelope is a 400. Body at most {MaxActivityBatchBody}.",
            requestBody: JsonBody(typeof(ActivityBatchSubmission), "The activities."),
            responses: new()
            {
                ["200"] = Answer("One result per posted activity, in input order.", Schema(typeof(ActivityBatchResult))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["413"] = Shared.Ref(Shared.TooLarge),
                ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject GetActivity() => Operation(
            "GetActivity", Tags.Activities, "Read an activity",
            "Its status and, once scored, its points after the type's and the member's daily caps. "
            + "`memberId` is shown only to operators and to the API client that posted the activity; others see `memberRef`.",
            parameters: [PathParameter("id", "The `id` the post answered.", String())],
            responses: new()
            {
                ["200"] = Answer("The activity and its status.", Schema(typeof(ActivityStatusView))),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["404"] = Shared.Ref(Shared.NotFound),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private const string MemberScope =
            "Any other member answers the same 404 as an unknown member.";

        private static JsonObject MemberIdParameter() => PathParameter("memberId", "The loyalty member (scheme-wide).", IdentifierSchema(Ids.DotlessPattern));

        private JsonObject GetMemberPoints() => Operation(
            "GetMemberPoints", Tags.Members, "Read a member's points",
            "The member's wallet read at one instant: `balance` = `earned` − `reversed` − `redeemed` − `expired` = `available` + `pending` + `reserved` − `debt`. "
            + "Points past their expiry count as expired from that instant on, whether or not the expiry timer has run. " + MemberScope,
            parameters: [MemberIdParameter()],
            responses: new()
            {
                ["200"] = Answer("The member's balance.", Schema(typeof(MemberPointsView))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("No such member, or none with a posting at this key's chains (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject GetMemberStatement() => Operation(
            "GetMemberStatement", Tags.Members, "Read a member's statement",
            $"Every posting that changed the member's balance, once, newest first, at most {StatementView.MaxEntriesPerPage} a page; the entries sum to the balance. "
            + "Entries of chains outside a `pos` or `chain` key's scope show only `kind`, `points`, `postedAt` and `chainId`. " + MemberScope,
            parameters:
            [
                MemberIdParameter(),
                QueryParameter("from", "The earliest posting: a date (a whole day in the scheme's time zone) or an RFC 3339 instant with an offset.", String(), required: false),
                QueryParameter("to", "The latest posting, inclusive: a date or an RFC 3339 instant with an offset.", String(), required: false),
                QueryParameter("continuation", "The `continuation` of the previous page.", String(), required: false),
            ],
            responses: new()
            {
                ["200"] = Answer("A page of the statement.", Schema(typeof(StatementView))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("No such member, or none with a posting at this key's chains (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject GetMemberLots() => Operation(
            "GetMemberLots", Tags.Members, "Read a member's lots",
            "The lots with points remaining, pending and available, oldest expiry first, with their dates and issuers. "
            + "Lots of chains outside a `pos` or `chain` key's scope carry no `lotId`. " + MemberScope,
            parameters: [MemberIdParameter()],
            responses: new()
            {
                ["200"] = Answer("The member's open lots.", Schema(typeof(LotsView))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("No such member, or none with a posting at this key's chains (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private static JsonObject RedemptionIdParameter() => PathParameter("redemptionId", "The till's id of the redemption, unique within the chain.", IdentifierSchema(Ids.Pattern));

        private static readonly string MaxRedemptionBody = Limits.Describe(Limits.MaxRedemptionBodyBytes);

        private JsonObject IssueMemberCode() => Operation(
            "IssueMemberCode", Tags.Redemptions, "Issue a member code",
            $"A new code for the member to show as a QR code: {Limits.MemberCodeDigits} random digits, valid `Redemptions:CodeSeconds` (120 s by default) and for one reservation. "
            + "Only its hash is stored; older unexpired codes stay valid.",
            parameters: [MemberIdParameter()],
            responses: new()
            {
                ["201"] = Answer("The code, shown this once.", Schema(typeof(MemberCodeIssued))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject GetMemberPointsByCode() => Operation(
            "GetMemberPointsByCode", Tags.Redemptions, "Read a balance by member code",
            "The balance of the member whose code the till scanned, without using the code up.",
            parameters: [PathParameter("code", $"The {Limits.MemberCodeDigits}-digit member code.", String())],
            responses: new()
            {
                ["200"] = Answer("The member's balance.", Schema(typeof(MemberPointsView))),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = CodeInvalid(),
                ["429"] = CodeLookupsLimited(),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject ReserveRedemption() => Operation(
            "ReserveRedemption", Tags.Redemptions, "Reserve points (and commit)",
            "Holds the member's available points for `Redemptions:HoldMinutes` (15 by default): `reserved` goes up and `available` down at once. "
            + "With `commit: true` the points are spent in the same call. `redemptionId` is the idempotency key: the same id and content answer 200 with "
            + $"the current state and `duplicate: true`; other content is 409. Body at most {MaxRedemptionBody}.",
            requestBody: JsonBody(typeof(RedemptionRequest), "The redemption: chain, store, till, id, the member's code (or, for operators, member id and reason), points and purpose."),
            responses: new()
            {
                ["201"] = Answer("Reserved (or committed); `Location` is its status URL.", Schema(typeof(RedemptionView)), LocationHeader()),
                ["200"] = Answer("A repeat of an earlier reservation with the same content (`duplicate: true`).", Schema(typeof(RedemptionView))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = CodeInvalid(),
                ["409"] = Problem("Too few available points (`insufficient-points`, with `available`; nothing held, the code not used up); "
                    + "the id used with other content (`redemption-conflict`); or the member's open reservations at their limit (`too-many-reservations`)."),
                ["413"] = Shared.Ref(Shared.TooLarge),
                ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
                ["422"] = Problem("The chain is not registered (`chain-not-registered`)."),
                ["429"] = CodeLookupsLimited(),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject CommitRedemption() => Operation(
            "CommitRedemption", Tags.Redemptions, "Commit a reservation",
            "Spends the held points: they leave their lots as a redemption posting per lot, with the lot's issuer. Committing twice answers the same. "
            + "The optional body names the sale that carried the discount.",
            parameters: [ChainIdParameter(), RedemptionIdParameter()],
            requestBody: new JsonObject
            {
                ["description"] = "Optional: the receipt of the sale.",
                ["required"] = false,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(typeof(CommitRequest)) } },
            },
            responses: new()
            {
                ["200"] = Answer("Committed.", Schema(typeof(RedemptionView))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Shared.Ref(Shared.NotFound),
                ["409"] = Problem("The reservation was cancelled or lapsed (`redemption-not-open`, with `status`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject CancelRedemption() => Operation(
            "CancelRedemption", Tags.Redemptions, "Cancel a reservation",
            "Releases the held points (they repay a debt first). Cancelling twice, or after the hold lapsed, answers 200 with the status.",
            parameters: [ChainIdParameter(), RedemptionIdParameter()],
            responses: new()
            {
                ["200"] = Answer("Cancelled (or lapsed).", Schema(typeof(RedemptionView))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Shared.Ref(Shared.NotFound),
                ["409"] = Problem("The redemption is committed: refund it instead (`redemption-committed`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject RefundRedemption() => Operation(
            "RefundRedemption", Tags.Redemptions, "Refund points of a redemption",
            "Gives points back into the lots they came from, the latest-consumed first, keeping their expiry (into an expired lot they expire at once); "
            + "a member in debt repays it first. `refundId` is the idempotency key within the redemption. Refunds never exceed the committed points.",
            parameters: [ChainIdParameter(), RedemptionIdParameter()],
            requestBody: JsonBody(typeof(RefundRequest), "The refund id and points."),
            responses: new()
            {
                ["201"] = Answer("Refunded.", Schema(typeof(RefundView)), LocationHeader()),
                ["200"] = Answer("A repeat of an earlier refund with the same points (`duplicate: true`).", Schema(typeof(RefundView))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Shared.Ref(Shared.NotFound),
                ["409"] = Problem("The redemption is not committed (`redemption-not-committed`), or the refund id was used with other points (`refund-conflict`)."),
                ["413"] = Shared.Ref(Shared.TooLarge),
                ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject GetRedemption() => Operation(
            "GetRedemption", Tags.Redemptions, "Read a redemption",
            "Its state, value, refunds and `sources`: which chains' points were held or spent. Another chain's redemption answers 404 whether or not it exists.",
            parameters: [ChainIdParameter(), RedemptionIdParameter()],
            responses: new()
            {
                ["200"] = Answer("The redemption.", Schema(typeof(RedemptionView))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Shared.Ref(Shared.NotFound),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private static JsonObject LocationHeader() => new() { ["Location"] = Header("The redemption's `statusUrl`.", UriReference()) };

        private static JsonObject CodeInvalid() => Problem("The code is unknown, expired or used: one answer for all three (`member-code-invalid`).");

        private static JsonObject CodeLookupsLimited() => Problem(
            "Too many failed code look-ups by this key this minute (`too-many-requests`).",
            new JsonObject { ["Retry-After"] = Header("Seconds until look-ups are allowed again.", new JsonObject { ["type"] = "integer" }) });

        private JsonObject ListSettlements() => Operation(
            "ListSettlements", Tags.Settlements, "List a chain's settlement days",
            $"The manifests of the chain's settled days from `from` to `to`, at most {Limits.MaxSettlementListDays} days.",
            parameters:
            [
                ChainIdParameter(),
                QueryParameter("from", "The first posting date, inclusive.", Date()),
                QueryParameter("to", $"The last posting date, inclusive; at most {Limits.MaxSettlementListDays} days after `from`.", Date()),
            ],
            responses: new()
            {
                ["200"] = Answer("The manifests of the settled days in the range, in date order; a day not settled yet is absent.", ArrayOf(typeof(SettlementManifest))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject GetSettlement() => Operation(
            "GetSettlement", Tags.Settlements, "Read a settlement day's manifest",
            "The manifest's totals equal the sums of the file's rows.",
            parameters: [ChainIdParameter(), DateParameter()],
            responses: new()
            {
                ["200"] = Answer("The day's manifest.", Schema(typeof(SettlementManifest))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("The day is not settled yet (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private static JsonObject GetSettlementFile() => Operation(
            "GetSettlementFile", Tags.Settlements, "Download a settlement day's CSV or workbook",
            "The CSV: UTF-8 with a BOM, CRLF line ends, RFC 4180 quoting, one header row "
            + "(settlement.md). With `format=xlsx` (or, without `format`, an `Accept` naming the workbook's media type) the same day as "
            + "an XLSX workbook generated from the CSV: sheet `postings` with the CSV's rows (ids, GTINs and dates as text, amounts as "
            + "numbers with two decimals, points as integers, a frozen header row and a totals row), `stores` with the manifest's "
            + "per-store figures, `summary` with the manifest. The CSV is the reference, hashed in the manifest. A published day never changes.",
            parameters:
            [
                ChainIdParameter(),
                DateParameter(),
                QueryParameter("format", "`csv` (the default) or `xlsx`; anything else is a 400.", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("csv", "xlsx") }, required: false),
            ],
            responses: new()
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "The CSV or the workbook, streamed.",
                    ["headers"] = new JsonObject
                    {
                        ["Content-Disposition"] = Header("`attachment` with the file name, `{chainId}-{yyyyMMdd}.csv` or `{chainId}-{yyyyMMdd}.xlsx`.", String()),
                        ["ETag"] = Header("The file's entity tag.", String()),
                        ["X-Content-SHA256"] = Header("CSV only: the SHA-256 of the file's bytes as lowercase hex, the manifest's `file.sha256`.", new JsonObject { ["type"] = "string", ["pattern"] = Sha256Pattern }),
                    },
                    ["content"] = new JsonObject
                    {
                        ["text/csv; charset=utf-8"] = new JsonObject { ["schema"] = String() },
                        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } },
                    },
                },
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("The day is not settled yet (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject ListClearing() => Operation(
            "ListClearing", Tags.Clearing, "List a chain's clearing days",
            $"The manifests of the chain's cleared days from `from` to `to`, at most {Limits.MaxClearingListDays} days.",
            parameters:
            [
                ChainIdParameter(),
                QueryParameter("from", "The first clearing date, inclusive.", Date()),
                QueryParameter("to", $"The last clearing date, inclusive; at most {Limits.MaxClearingListDays} days after `from`.", Date()),
            ],
            responses: new()
            {
                ["200"] = Answer("The manifests of the cleared days in the range, in date order; a day not cleared yet is absent.", ArrayOf(typeof(ClearingManifest))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Shared.Ref(Shared.NotFound),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject GetClearing() => Operation(
            "GetClearing", Tags.Clearing, "Read a clearing day's manifest",
            "What the chain is owed by and owes each other chain for the day (clearing.md), its point counts and its liability at "
            + "the end of the day. The figures equal the sums of the file's rows, and a chain's receivable from X equals X's payable to it.",
            parameters: [ChainIdParameter(), ClearingDateParameter()],
            responses: new()
            {
                ["200"] = Answer("The day's manifest.", Schema(typeof(ClearingManifest))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("The day is not cleared yet (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private static JsonObject GetClearingFile() => Operation(
            "GetClearingFile", Tags.Clearing, "Download a clearing day's CSV or workbook",
            "The CSV: UTF-8 with a BOM, CRLF line ends, RFC 4180 quoting, one header row, one row per clearing entry in which the chain is "
            + "issuer or redeemer, sorted by `counterparty_chain_id`, `kind`, `reference`, `lot_id` (clearing.md). `points` and `amount` are "
            + "signed from the chain's side (positive receivable, negative payable), so `amount` = `points` × `yuan_per_point` on every row. "
            + "With `format=xlsx` (or an `Accept` naming the workbook's media type) the same day as a workbook generated from the CSV: sheet "
            + "`entries`, `counterparties` and `summary`. A cleared day never changes.",
            parameters:
            [
                ChainIdParameter(),
                ClearingDateParameter(),
                QueryParameter("format", "`csv` (the default) or `xlsx`; anything else is a 400.", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("csv", "xlsx") }, required: false),
            ],
            responses: new()
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "The CSV or the workbook, streamed.",
                    ["headers"] = new JsonObject
                    {
                        ["Content-Disposition"] = Header("`attachment` with the file name, `{chainId}-{yyyyMMdd}.clearing.csv` or `{chainId}-{yyyyMMdd}.clearing.xlsx`.", String()),
                        ["ETag"] = Header("The file's entity tag.", String()),
                        ["X-Content-SHA256"] = Header("CSV only: the SHA-256 of the file's bytes as lowercase hex, the manifest's `file.sha256`.", new JsonObject { ["type"] = "string", ["pattern"] = Sha256Pattern }),
                    },
                    ["content"] = new JsonObject
                    {
                        ["text/csv; charset=utf-8"] = new JsonObject { ["schema"] = String() },
                        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } },
                    },
                },
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("The day is not cleared yet (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminGetClearingReport() => Operation(
            "AdminGetClearingReport", Tags.Admin, "Read the scheme's clearing report of a day",
            "Every chain's net, receivable and payable for the day; `totalNet` is exactly `0.00` for every cleared day, as every fen one "
            + "chain receives another pays. `outstandingPoints` and `outstandingValue` sum the chains' liabilities at the end of the day.",
            parameters: [ClearingDateParameter()],
            responses: new()
            {
                ["200"] = Answer("The day's report.", Schema(typeof(ClearingReport))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("The day is not cleared yet (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminRunClearing() => Operation(
            "AdminRunClearing", Tags.Admin, "Clear a day now",
            "(Re)generates one clearing day for every chain. Generation is deterministic: files that would be byte-identical are left as "
            + "they are, and a cleared day is never changed; files missing after a failed run are written.",
            parameters: [ClearingDateParameter()],
            responses: new()
            {
                ["200"] = Answer("The day's report.", Schema(typeof(ClearingReport))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["409"] = Problem("The day has not ended in the clearing time zone plus the grace period yet, or published files differ from the posting log (`conflict`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminPutChain() => Operation(
            "AdminPutChain", Tags.Admin, "Register or update a chain",
            $"The chain's time zone (a canonical IANA id) decides its receipts' and activities' business dates and its settlement days; "
            + "it is locked once the chain has posted. `kind` is `retail` (the default: posts receipts and may post activities) or "
            + $"`service` (a low-carbon service or public-service partner: posts activities only). Body at most {MaxAdminBody}.",
            parameters: [ChainIdParameter()],
            requestBody: JsonBody(typeof(ChainRegistration), "The chain's name and time zone."),
            responses: new()
            {
                ["200"] = Answer("The chain was updated; it is answered as stored.", Schema(typeof(ChainView))),
                ["201"] = Answer("The chain was registered; it is answered as stored.", Schema(typeof(ChainView)), new JsonObject { ["Location"] = Header("The chain's URL.", UriReference()) }),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["409"] = Problem("The chain has posted receipts, whose ids hold business dates in its zone, and the body names another zone (`chain-time-zone-locked`)."),
                ["413"] = Shared.Ref(Shared.TooLarge),
                ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminCreateClient() => Operation(
            "AdminCreateClient", Tags.Admin, "Create an API client",
            $"The answer holds the client's key, the only time it is shown. Body at most {MaxAdminBody}.",
            requestBody: JsonBody(typeof(CreateClientRequest), "The client's id, role and chains."),
            responses: new()
            {
                ["201"] = Answer("The client and its key.", Schema(typeof(CreatedClient)), new JsonObject { ["Cache-Control"] = Header("`no-store`: the body holds a key.", String()) }),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["409"] = Problem("A client with this id exists or was revoked; client ids are never reused (`conflict`)."),
                ["413"] = Shared.Ref(Shared.TooLarge),
                ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
                ["422"] = Problem("A chain in `chains` is not registered (`chain-not-registered`); `errors` names it."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private static JsonObject AdminRevokeClient() => Operation(
            "AdminRevokeClient", Tags.Admin, "Revoke an API client",
            "The client's key stops working at once. Revoking a revoked client is a 204 too.",
            parameters: [PathParameter("clientId", "The client to revoke.", IdentifierSchema(Ids.DotlessPattern))],
            responses: new()
            {
                ["204"] = new JsonObject { ["description"] = "Revoked." },
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Shared.Ref(Shared.NotFound),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminListProductLists() => Operation(
            "AdminListProductLists", Tags.Admin, "List the product lists' current versions",
            "",
            responses: new()
            {
                ["200"] = Answer("The current version of each list.", ArrayOf(typeof(ProductListVersion))),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminPutProductList() => Operation(
            "AdminPutProductList", Tags.Admin, "Publish a product list version",
            "Atomic: either every row is valid and the new version becomes current, or nothing changes "
            + $"(lists-and-rules.md). Body at most {MaxProductListBody}; a larger list goes through `uploads` and `publish`.",
            parameters: [ListIdParameter()],
            requestBody: new JsonObject
            {
                ["description"] = "The list as CSV: UTF-8, optional BOM, RFC 4180 quoting, a header row with the list's columns.",
                ["required"] = true,
                ["content"] = new JsonObject { ["text/csv"] = new JsonObject { ["schema"] = String() } },
            },
            responses: ProductListPublishResponses());

        private JsonObject AdminCreateProductListUpload() => Operation(
            "AdminCreateProductListUpload", Tags.Admin, "Start a large product list upload",
            "Answers a short-lived, write-only SAS URL of a new blob; upload the CSV there, then call `publish` with the upload's name.",
            parameters: [ListIdParameter()],
            responses: new()
            {
                ["201"] = Answer("Where to upload the CSV.", Schema(typeof(ProductListUpload)), new JsonObject { ["Cache-Control"] = Header("`no-store`: the URL is a credential.", String()) }),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("The points rules name no such list (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminPublishProductList() => Operation(
            "AdminPublishProductList", Tags.Admin, "Publish an uploaded product list",
            $"Validates and publishes the uploaded CSV exactly as the `PUT` does, streaming the blob. Body at most {MaxPublishBody}.",
            parameters: [ListIdParameter()],
            requestBody: JsonBody(typeof(ProductListPublish), "The upload to publish."),
            responses: ProductListPublishResponses());

        /// <summary>The answers of both ways to publish a list, which publish alike.</summary>
        private JsonObject ProductListPublishResponses() => new()
        {
            ["200"] = Answer("The list is the same as its current version, which stays current.", Schema(typeof(ProductListVersion))),
            ["201"] = Answer("The published version, now current.", Schema(typeof(ProductListVersion))),
            ["400"] = new JsonObject
            {
                ["description"] = "The list has invalid rows (`validation`, with `rowErrors`) or the request is not valid. Nothing was published.",
                ["content"] = new JsonObject
                {
                    [ProblemJson] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/" + ProductListProblem } },
                },
            },
            ["401"] = Shared.Ref(Shared.Unauthenticated),
            ["403"] = Shared.Ref(Shared.Forbidden),
            ["404"] = Problem("The points rules name no such list, or there is no such upload for it (`not-found`)."),
            ["409"] = Problem("The list changed while this version was being published (`conflict`); retry."),
            ["413"] = Shared.Ref(Shared.TooLarge),
            ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
            ["503"] = Shared.Ref(Shared.StorageUnavailable),
        };

        private JsonObject AdminRunSettlement() => Operation(
            "AdminRunSettlement", Tags.Admin, "Settle a day now",
            "(Re)generates one settlement day. Generation is deterministic: a day whose file would be byte-identical "
            + "is left as it is, and a published day is never changed.",
            parameters: [ChainIdParameter(), DateParameter()],
            responses: new()
            {
                ["200"] = Answer("The day's manifest.", Schema(typeof(SettlementManifest))),
                ["400"] = Problem("The date is not one (YYYY-MM-DD), or lies before the chain was registered (`validation`, at `date`)."),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("The chain is not registered (`not-found`)."),
                ["409"] = Problem("The day has not ended in the chain's time zone, plus the grace period, yet (`conflict`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminGetPoison() => Operation(
            "AdminGetPoison", Tags.Admin, "Inspect failed messages",
            "The messages that failed processing, per poison queue.",
            responses: new()
            {
                ["200"] = Answer("Every poison queue with its count and oldest messages.", Schema(typeof(PoisonReport))),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminReplayPoison() => Operation(
            "AdminReplayPoison", Tags.Admin, "Replay failed messages",
            "Moves the messages of a poison queue back to the queue they came from, to be processed again.",
            parameters: [QueryParameter("queue", "The poison queue to replay, as `GET /api/v1/admin/poison` names it.", String())],
            responses: new()
            {
                ["200"] = Answer("How many messages were replayed.", Schema(typeof(PoisonReplayResult))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["404"] = Problem("There is no such poison queue (`not-found`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminMigrateWallets() => Operation(
            "AdminMigrateWallets", Tags.Admin, "Move old balances into lots",
            "Rebuilds, from their postings, the wallet of every member whose balance was posted before lots existed: one lot per past award, "
            + "each past return replayed, by today's wallet rules. Idempotent; a member touched by a posting or a read is migrated then anyway.",
            responses: new()
            {
                ["200"] = Answer("How many members were migrated.", Schema(typeof(WalletMigrationResult))),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject AdminPostAdjustment() => Operation(
            "AdminPostAdjustment", Tags.Admin, "Adjust a member's points",
            "A goodwill credit (a lot issued by `chainId`, available at once) or a correction (a debit taken as a reversal: lots in order, "
            + "then debt), posted at once and shown on the statement as kind `adjustment` with `reason` as its note. Idempotent by "
            + $"`adjustmentId` per member. Body at most {MaxAdminBody}.",
            parameters: [MemberIdParameter()],
            requestBody: JsonBody(typeof(AdjustmentRequest), "The adjustment."),
            responses: new()
            {
                ["200"] = Answer("The same adjustment was posted before: it is answered with `duplicate: true`; nothing changed.", Schema(typeof(AdjustmentResult))),
                ["201"] = Answer("The adjustment was posted.", Schema(typeof(AdjustmentResult))),
                ["400"] = Shared.Ref(Shared.Invalid),
                ["401"] = Shared.Ref(Shared.Unauthenticated),
                ["403"] = Shared.Ref(Shared.Forbidden),
                ["409"] = Problem("The adjustment id was used for this member with other content (`adjustment-conflict`)."),
                ["413"] = Shared.Ref(Shared.TooLarge),
                ["415"] = Shared.Ref(Shared.UnsupportedMediaType),
                ["422"] = Problem("`chainId` is not a registered chain (`chain-not-registered`)."),
                ["503"] = Shared.Ref(Shared.StorageUnavailable),
            });

        private JsonObject Health() => Operation(
            "Health", Tags.Service, "Check health",
            "Whether Blob, Queue and Table storage answer.",
            responses: new()
            {
                ["200"] = Answer("Every storage service answered.", Schema(typeof(HealthReport))),
                ["503"] = Answer("A storage service did not answer; `checks` says which.", Schema(typeof(HealthReport))),
            });

        private static JsonObject GetOpenApiDocument() => Operation(
            "GetOpenApiDocument", Tags.Service, "Read this document",
            "This OpenAPI document, to generate a client from.",
            responses: new()
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "The OpenAPI 3.1 document.",
                    ["headers"] = new JsonObject { ["Cache-Control"] = Header("Cacheable for an hour.", String()) },
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } } },
                },
            });

        private static JsonObject Operation(
            string operationId,
            string tag,
            string summary,
            string description,
            JsonObject responses,
            JsonObject[]? parameters = null,
            JsonObject? requestBody = null)
        {
            var access = AccessFor(operationId);
            var operation = new JsonObject
            {
                ["operationId"] = operationId,
                ["tags"] = new JsonArray(tag),
                ["summary"] = summary,
                ["description"] = description.Length == 0 ? AccessSentence(access) : $"{AccessSentence(access)} {description}",
            };
            if (access.IsAnonymous)
            {
                operation["security"] = new JsonArray();
            }

            if (parameters is { Length: > 0 })
            {
                operation["parameters"] = new JsonArray(parameters);
            }

            if (requestBody is not null)
            {
                operation["requestBody"] = requestBody;
            }

            operation["responses"] = responses;
            return operation;
        }

        private JsonObject Schema(Type type)
        {
            _schemaTypes.Add(type);
            return new JsonObject { ["$ref"] = "#/components/schemas/" + type.Name };
        }

        private JsonObject ArrayOf(Type type) => new() { ["type"] = "array", ["items"] = Schema(type) };

        private JsonObject JsonBody(Type type, string description) => new()
        {
            ["description"] = description,
            ["required"] = true,
            ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(type) } },
        };

        private static JsonObject Answer(string description, JsonObject schema, JsonObject? headers = null)
        {
            var answer = new JsonObject { ["description"] = description };
            if (headers is not null)
            {
                answer["headers"] = headers;
            }

            answer["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } };
            return answer;
        }

        private static JsonObject Problem(string description, JsonObject? headers = null)
        {
            var problem = new JsonObject { ["description"] = description };
            if (headers is not null)
            {
                problem["headers"] = headers;
            }

            problem["content"] = new JsonObject
            {
                [ProblemJson] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/" + ProblemDetails } },
            };
            return problem;
        }

        private static JsonObject Header(string description, JsonObject schema) => new() { ["description"] = description, ["schema"] = schema };

        private static JsonObject PathParameter(string name, string description, JsonObject schema) => new()
        {
            ["name"] = name,
            ["in"] = "path",
            ["required"] = true,
            ["description"] = description,
            ["schema"] = schema,
        };

        private static JsonObject QueryParameter(string name, string description, JsonObject schema, bool required = true) => new()
        {
            ["name"] = name,
            ["in"] = "query",
            ["required"] = required,
            ["description"] = description,
            ["schema"] = schema,
        };

        private static JsonObject ChainIdParameter() => PathParameter("chainId", "The retail chain.", IdentifierSchema(Ids.Pattern));

        private static JsonObject ClearingDateParameter() => PathParameter("date", "The clearing date in the scheme's clearing time zone, `YYYY-MM-DD`.", Date());

        private static JsonObject DateParameter() => PathParameter("date", "The posting date, `YYYY-MM-DD`.", Date());

        private static JsonObject ListIdParameter() => PathParameter("listId", "The product list, such as `certified-green` or `low-voc`.", String());

        private static JsonObject String() => new() { ["type"] = "string" };

        private static JsonObject UriReference() => new() { ["type"] = "string", ["format"] = "uri-reference" };

        private static JsonObject Date() => new() { ["type"] = "string", ["format"] = "date" };

        private static JsonObject IdentifierSchema(string pattern) => new()
        {
            ["type"] = "string",
            ["pattern"] = pattern,
            ["minLength"] = 1,
            ["maxLength"] = Ids.MaxLength,
        };

        private static class Shared
        {
            public const string Invalid = "Invalid";
            public const string Unauthenticated = "Unauthenticated";
            public const string Forbidden = "Forbidden";
            public const string NotFound = "NotFound";
            public const string TooLarge = "PayloadTooLarge";
            public const string UnsupportedMediaType = "UnsupportedMediaType";
            public const string StorageUnavailable = "StorageUnavailable";

            public static JsonObject Ref(string name) => new() { ["$ref"] = "#/components/responses/" + name };
        }
    }
}
