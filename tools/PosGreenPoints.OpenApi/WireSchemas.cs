using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using PosGreenPoints.Contracts;

namespace PosGreenPoints.OpenApi;

/// <summary>
/// JSON Schemas of the wire types, exported by System.Text.Json from the types themselves with the app's
/// serializer options, so that a schema cannot say something else than what the app reads and writes.
/// The export is adjusted where the C# type alone says too little or too much:
/// <list type="bullet">
/// <item>a wire type inside another is a <c>$ref</c> to its own schema, not a copy;</item>
/// <item>a property is required exactly when its type is not nullable (the exporter would also require
/// every constructor parameter without a default, nullable or not);</item>
/// <item>numbers are JSON numbers only: the web defaults' leniency of reading numbers from strings is
/// not part of the contract (the receipt reader refuses them, and the app writes numbers as numbers);</item>
/// <item>descriptions come from the doc comments, and the rules the validators enforce beyond the type
/// come from a table of constraints by type and property.</item>
/// </list>
/// </summary>
internal sealed class WireSchemas(
    JsonSerializerOptions options,
    XmlDocumentation documentation,
    IReadOnlyDictionary<(Type Type, string Property), JsonObject> constraints)
{
    private static readonly string[] KeywordOrder =
    [
        "$schema", "$id", "title", "description", "$ref", "anyOf", "type", "format", "enum", "const", "pattern",
        "minLength", "maxLength", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf",
        "items", "minItems", "maxItems", "properties", "required", "additionalProperties", "$defs",
    ];

    /// <summary>The Contracts assembly: its object types are the wire types, each a named schema of its own.</summary>
    private static readonly Assembly WireAssembly = typeof(Limits).Assembly;

    private readonly HashSet<(Type Type, string Property)> _appliedConstraints = [];

    /// <summary>
    /// The schemas of <paramref name="roots"/> and of every wire type they contain, by type name. A contained
    /// wire type is a <c>$ref</c> to <paramref name="referencePrefix"/> and its name.
    /// </summary>
    public SortedDictionary<string, JsonObject> Generate(IEnumerable<Type> roots, string referencePrefix)
    {
        var schemas = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var typesByName = new Dictionary<string, Type>(StringComparer.Ordinal);
        var pending = new Queue<Type>(roots);
        while (pending.TryDequeue(out var type))
        {
            if (typesByName.TryGetValue(type.Name, out var known))
            {
                // Schemas are named by the type's simple name: two wire types must not share one.
                if (known != type)
                {
                    throw new InvalidOperationException($"{known} and {type} would share the schema name {type.Name}.");
                }

                continue;
            }

            var contained = new List<Type>();
            typesByName.Add(type.Name, type);
            schemas.Add(type.Name, Export(type, referencePrefix, contained));
            foreach (var containedType in contained)
            {
                pending.Enqueue(containedType);
            }
        }

        return schemas;
    }

    /// <summary>The constraints that matched no property so far: a renamed property must not silently lose its rules.</summary>
    public IEnumerable<string> UnappliedConstraints() =>
        constraints.Keys.Except(_appliedConstraints).Select(key => $"{key.Type.Name}.{key.Property}");

    /// <summary>The schema with its keywords in one fixed, readable order (description first, subschemas last).</summary>
    public static JsonObject Ordered(JsonObject schema)
    {
        var keywords = schema.ToList();
        schema.Clear();
        foreach (var (name, value) in keywords.OrderBy(keyword => Rank(keyword.Key)))
        {
            schema.Add(name, value);
        }

        return schema;
    }

    private static int Rank(string keyword)
    {
        var rank = Array.IndexOf(KeywordOrder, keyword);
        return rank < 0 ? KeywordOrder.Length : rank;
    }

    private JsonObject Export(Type type, string referencePrefix, List<Type> contained)
    {
        var exporterOptions = new JsonSchemaExporterOptions
        {
            // Generic arguments (list items, dictionary values) carry no nullability; none of ours is null.
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) => Transform(context, node, referencePrefix, contained),
        };
        return options.GetJsonSchemaAsNode(type, exporterOptions).AsObject();
    }

    private JsonNode Transform(JsonSchemaExporterContext context, JsonNode node, string referencePrefix, List<Type> contained)
    {
        if (node is not JsonObject schema)
        {
            return node;
        }

        var type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
        if (!context.Path.IsEmpty && IsWireType(context.TypeInfo))
        {
            contained.Add(type);
            var reference = new JsonObject { ["$ref"] = referencePrefix + type.Name };
            schema = AllowsNull(schema)
                ? new JsonObject { ["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) }
                : reference;
        }
        else
        {
            if (NumberType(type) is { } number)
            {
                schema["type"] = AllowsNull(schema) ? new JsonArray(number.Type, "null") : number.Type;
                schema["format"] = number.Format;
                schema.Remove("pattern");
            }

            if (context.TypeInfo.Kind == JsonTypeInfoKind.Object)
            {
                schema.Remove("required");
                var required = context.TypeInfo.Properties.Where(property => !AllowsNull(property)).Select(property => JsonValue.Create(property.Name)).ToArray();
                if (required.Length > 0)
                {
                    schema["required"] = new JsonArray(required);
                }
            }

            if (context.Path.IsEmpty)
            {
                Describe(schema, documentation.Summary(type));
            }
        }

        if (context.PropertyInfo is { } property)
        {
            // A parameter's "= null" is how C# makes it optional, not a value the app ever writes.
            if (schema.TryGetPropertyValue("default", out var defaultValue) && defaultValue is null)
            {
                schema.Remove("default");
            }

            var clrName = (property.AttributeProvider as MemberInfo)?.Name ?? property.Name;
            Describe(schema, documentation.Property(property.DeclaringType, clrName));
            Constrain(schema, property);
        }

        return Ordered(schema);
    }

    private void Constrain(JsonObject schema, JsonPropertyInfo property)
    {
        var key = (property.DeclaringType, property.Name);
        if (!constraints.TryGetValue(key, out var keywords))
        {
            return;
        }

        _appliedConstraints.Add(key);
        foreach (var (name, value) in keywords)
        {
            schema[name] = value?.DeepClone();
        }
    }

    private static void Describe(JsonObject schema, string? description)
    {
        if (description is not null)
        {
            schema["description"] = description;
        }
    }

    private static bool IsWireType(JsonTypeInfo typeInfo) =>
        typeInfo.Kind == JsonTypeInfoKind.Object && typeInfo.Type.Assembly == WireAssembly;

    private static bool AllowsNull(JsonObject schema) =>
        schema["type"] is JsonArray types && types.Any(type => type?.GetValue<string>() == "null");

    private static bool AllowsNull(JsonPropertyInfo property) =>
        property.PropertyType.IsValueType
            ? Nullable.GetUnderlyingType(property.PropertyType) is not null
            : property.IsGetNullable || property.IsSetNullable;

    private static (string Type, string Format)? NumberType(Type type) =>
        Type.GetTypeCode(type) switch
        {
            TypeCode.Int32 => ("integer", "int32"),
            TypeCode.Int64 => ("integer", "int64"),
            TypeCode.Decimal => ("number", "decimal"),
            TypeCode.Double => ("number", "double"),
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 or TypeCode.Single =>
                throw new NotSupportedException($"{type} has no JSON Schema format here yet; add it."),
            _ => null,
        };
}
