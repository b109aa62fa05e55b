using System.Text;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// The host id under which the Functions host keeps its state in <c>azure-webjobs-hosts</c> (timer
/// statuses, singleton locks). The setting <c>AzureFunctionsWebHost:hostid</c> wins, as on the host; without
/// it the runner derives the id as the host does on a machine that is not Azure (Core Tools): the machine
/// name's letters and digits, a dash, and a stable hash of the app's folder, at most 32 characters, lower case.
/// </summary>
public static class HostId
{
    public const string Setting = "AzureFunctionsWebHost:hostid";

    /// <summary>The host's limit: the id is a part of queue and blob names.</summary>
    private const int MaximumLength = 32;

    public static string Resolve(IConfiguration configuration, string appDirectory) =>
        configuration[Setting] is { Length: > 0 } configured ? configured : Default(Environment.MachineName, appDirectory);

    public static string Default(string machineName, string appDirectory)
    {
        var letters = new StringBuilder();
        foreach (var c in machineName.Where(char.IsLetterOrDigit))
        {
            letters.Append(c);
        }

        // The host hashes the script root as it is given to it; Core Tools gives it the app folder.
        var id = $"{letters}-{Math.Abs((long)StableHash(Path.TrimEndingDirectorySeparator(appDirectory)))}";
        if (id.Length > MaximumLength)
        {
            id = id[..MaximumLength];
        }

        // A trailing dash is trimmed, as the host does: it is not allowed at the end of a queue name.
        return id.ToLowerInvariant().TrimEnd('-');
    }

    /// <summary>The host's string hash, stable across processes (unlike <see cref="string.GetHashCode()"/>).</summary>
    public static int StableHash(string value)
    {
        unchecked
        {
            var hash = 23;
            foreach (var c in value)
            {
                hash = (hash * 31) + c;
            }

            return hash;
        }
    }
}
