using Azure;
using Microsoft.AspNetCore.Http;

namespace PosGreenPoints.Functions.Infrastructure.Telemetry;

/// <summary>
/// What may go into a log, a trace or a stored failure reason: never a member id, never an API key.
/// Member ids travel in receipt bodies, in the Members table's keys (so in the URL of any storage
/// request about a member) and in the path of the members API; keys travel in a header only.
/// </summary>
public static class LogRedaction
{
    private const string MembersSegment = "members";
    private const string Redacted = "{memberId}";

    /// <summary>
    /// An exception as text that is safe to keep. A storage failure's message holds the request URL and
    /// the service's answer, which can name a member; only its status and error code are kept.
    /// </summary>
    public static string Describe(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure switch
        {
            AggregateException { InnerExceptions.Count: > 0 } aggregate => Describe(aggregate.InnerExceptions[0]),
            RequestFailedException storage => $"{storage.GetType().Name}: storage answered {storage.Status} {storage.ErrorCode}".TrimEnd(),
            _ => $"{failure.GetType().Name}: {failure.Message}",
        };
    }

    /// <summary>A request path with the member id of the members API replaced.</summary>
    public static string Path(PathString path)
    {
        var value = path.Value ?? "";
        var segments = value.Split('/');
        for (var index = 0; index < segments.Length - 1; index++)
        {
            if (segments[index].Equals(MembersSegment, StringComparison.OrdinalIgnoreCase) && segments[index + 1].Length > 0)
            {
                segments[index + 1] = Redacted;
            }
        }

        return string.Join('/', segments);
    }
}
