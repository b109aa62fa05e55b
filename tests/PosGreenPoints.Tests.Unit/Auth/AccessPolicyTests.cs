using System.Reflection;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Functions;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Unit.Auth;

/// <summary>
/// Keeps <see cref="AccessPolicy"/> the one answer to "who may call what": one row per HTTP function of
/// the app (none without a policy, none for a function that is gone), api.md's limits on the <c>app</c>
/// role, and the matrix operators read in docs/operations.md equal to it.
/// </summary>
public sealed class AccessPolicyTests
{
    private const string MatrixDocument = "docs/operations.md";

    private static readonly Role[] Roles = Enum.GetValues<Role>();

    [Fact]
    public void Every_http_function_has_a_policy_and_every_policy_a_function()
    {
        var functions = HttpFunctions().Select(function => function.Name).ToList();
        var policies = AccessPolicy.All.Select(access => access.Operation).ToList();

        Assert.Contains("PostReceipt", functions);
        Assert.Equal(policies.Count, policies.Distinct(StringComparer.Ordinal).Count());
        Assert.True(functions.Except(policies).ToList() is [], $"HTTP functions without a policy in AccessPolicy: {string.Join(", ", functions.Except(policies))}.");
        Assert.True(policies.Except(functions).ToList() is [], $"Policies of no HTTP function: {string.Join(", ", policies.Except(functions))}.");
    }

    [Fact]
    public void An_app_key_reads_members_and_issues_their_codes_and_nothing_else()
    {
        var appOperations = AccessPolicy.All.Where(access => access.Roles.Contains(Role.App)).Select(access => access.Operation);

        Assert.Equal([nameof(AccessPolicy.GetMemberPoints), nameof(AccessPolicy.GetMemberStatement), nameof(AccessPolicy.GetMemberLots), nameof(AccessPolicy.IssueMemberCode)], appOperations);
    }

    [Fact]
    public void Only_operators_use_the_admin_routes()
    {
        var admin = HttpFunctions().Where(function => function.Route.StartsWith("v1/admin/", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(admin);
        Assert.All(admin, function => Assert.Equal([Role.Operator], AccessPolicy.Find(function.Name)!.Roles));
    }

    [Fact]
    public void The_matrix_in_the_docs_is_the_policy_table()
    {
        var path = Path.Combine(RepositoryPaths.Root, MatrixDocument);
        var expected = Matrix();

        Assert.True(File.ReadAllText(path).ReplaceLineEndings("\n").Contains(expected, StringComparison.Ordinal),
            $"{MatrixDocument} does not hold the authorization matrix of AccessPolicy; it should read:{Environment.NewLine}{expected}");
    }

    /// <summary>The operations that need a key, one row each, a column per role.</summary>
    private static string Matrix()
    {
        var text = new StringBuilder();
        text.Append("| operation | ").AppendJoin(" | ", Roles.Select(role => $"`{RoleNames.ToName(role)}`")).Append(" |\n");
        text.Append("| --- |").Append(string.Concat(Roles.Select(_ => " --- |"))).Append('\n');
        foreach (var function in HttpFunctions())
        {
            var access = AccessPolicy.Find(function.Name)!;
            if (access.IsAnonymous)
            {
                continue;
            }

            var cells = Roles.Select(role => !access.Roles.Contains(role) ? "—"
                : role is not (Role.Pos or Role.Chain) ? "yes"
                : access.ChainScoped ? "its chains"
                : access.MemberScoped ? "its chains' members" : "yes");
            text.Append($"| `{function.Method} /api/{function.Route}` | ").AppendJoin(" | ", cells).Append(" |\n");
        }

        return text.ToString();
    }

    /// <summary>The app's HTTP functions with their first method and route, in the order of api.md's table.</summary>
    private static List<(string Name, string Method, string Route)> HttpFunctions() =>
        LoadableTypes(typeof(AccessPolicy).Assembly)
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(method => (Function: method.GetCustomAttribute<FunctionAttribute>(), Trigger: method.GetParameters()
                .Select(parameter => parameter.GetCustomAttribute<HttpTriggerAttribute>())
                .OfType<HttpTriggerAttribute>()
                .FirstOrDefault()))
            .Where(found => found is { Function: not null, Trigger: not null })
            .Select(found => (found.Function!.Name, (found.Trigger!.Methods ?? ["*"])[0].ToUpperInvariant(), found.Trigger.Route ?? ""))
            .OrderBy(function => AccessPolicy.All.ToList().FindIndex(access => access.Operation == function.Name) is var index and >= 0 ? index : int.MaxValue)
            .ToList();

    /// <summary>The worker's generated types may name an SDK version this process cannot load; they hold no function.</summary>
    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            return partial.Types.OfType<Type>();
        }
    }
}
