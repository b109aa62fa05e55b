using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PosGreenPoints.OpenApi;

/// <summary>
/// The doc comments of the wire types, read from the documentation file the compiler writes beside the
/// assembly, as one-line CommonMark (code in backticks), which is what OpenAPI descriptions are.
/// </summary>
internal sealed partial class XmlDocumentation
{
    private readonly Assembly _assembly;
    private readonly Dictionary<string, XElement> _members;

    private XmlDocumentation(Assembly assembly, XDocument document)
    {
        _assembly = assembly;
        _members = document.Descendants("member")
            .Where(member => member.Attribute("name") is not null)
            .ToDictionary(member => member.Attribute("name")!.Value, StringComparer.Ordinal);
    }

    public static XmlDocumentation Load(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            // Without it every description would silently vanish from the generated document.
            throw new FileNotFoundException(
                $"{path} is missing: the schema descriptions come from it. The project sets GenerateDocumentationFile; rebuild it.", path);
        }

        return new XmlDocumentation(assembly, XDocument.Load(path));
    }

    public string? Summary(Type type) =>
        _members.TryGetValue("T:" + Id(type), out var member) ? Render(member.Element("summary")) : null;

    /// <summary>A property's description: its record parameter's <c>param</c>, else its own summary.</summary>
    public string? Property(Type declaringType, string propertyName)
    {
        var parameter = _members.TryGetValue("T:" + Id(declaringType), out var type)
            ? type.Elements("param").FirstOrDefault(param => (string?)param.Attribute("name") == propertyName)
            : null;
        return parameter is not null
            ? Render(parameter)
            : _members.TryGetValue($"P:{Id(declaringType)}.{propertyName}", out var property) ? Render(property.Element("summary")) : null;
    }

    private static string Id(Type type) => type.FullName!.Replace('+', '.');

    private string? Render(XElement? element)
    {
        if (element is null)
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            text.Append(node switch
            {
                XText plain => plain.Value,
                XElement { Name.LocalName: "c" } code => $"`{code.Value}`",
                XElement { Name.LocalName: "see" } see when see.Attribute("langword") is { } word => $"`{word.Value}`",
                XElement { Name.LocalName: "see" } see when see.Attribute("cref") is { } cref => Reference(cref.Value),
                XElement { Name.LocalName: "paramref" or "typeparamref" } name => $"`{(string?)name.Attribute("name")}`",
                XElement other => Render(other),
                _ => "",
            });
        }

        var rendered = Whitespace().Replace(text.ToString(), " ").Trim();
        rendered = SeeAlsoRepeatingValues().Replace(rendered, "${values}");
        return rendered.Length == 0 ? null : rendered;
    }

    /// <summary>
    /// A vendor does not know our C# names, so a reference to a class of wire constants is rendered as its
    /// values, a property as its JSON name, and a constant as its value.
    /// </summary>
    private string Reference(string cref)
    {
        var kind = cref[0];
        var name = cref[2..];
        var memberName = name[(name.LastIndexOf('.') + 1)..];
        return kind switch
        {
            'T' when _assembly.GetType(name) is { } type && ConstantValues(type) is { Count: > 0 } values => OneOf(values),
            'T' => $"`{memberName}`",
            'P' => $"`{JsonNamingPolicy.CamelCase.ConvertName(memberName)}`",
            'F' when _assembly.GetType(name[..name.LastIndexOf('.')])?.GetField(memberName)?.GetRawConstantValue() is { } value =>
                $"`{Convert.ToString(value, CultureInfo.InvariantCulture)}`",
            _ => $"`{memberName}`",
        };
    }

    private static List<string> ConstantValues(Type type) =>
        type is { IsAbstract: true, IsSealed: true }
            ? type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(field => field.IsLiteral && field.FieldType == typeof(string))
                .Select(field => (string)field.GetRawConstantValue()!)
                .ToList()
            : [];

    private static string OneOf(List<string> values) =>
        values.Count == 1
            ? $"`{values[0]}`"
            : string.Join(", ", values.SkipLast(1).Select(value => $"`{value}`")) + $" or `{values[^1]}`";

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // "`pos`, `chain` or `operator` (see ClientRoles)": once the class is rendered as its values, the
    // pointer to it only repeats them.
    [GeneratedRegex(@"(?<values>`[^`]+`(?:, `[^`]+`)*(?: or `[^`]+`)?) \(see \k<values>\)")]
    private static partial Regex SeeAlsoRepeatingValues();
}
