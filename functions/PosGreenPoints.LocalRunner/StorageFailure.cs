using Azure;

namespace PosGreenPoints.LocalRunner;

internal static class StorageFailure
{
    /// <summary>
    /// What the Azure SDK throws when storage refused or did not answer: a failed request, or, once its
    /// retries are spent, an <see cref="AggregateException"/> of them.
    /// </summary>
    public static bool IsUnavailable(Exception failure) =>
        failure is RequestFailedException or HttpRequestException or AggregateException or TimeoutException;
}
