using System.ComponentModel.DataAnnotations;

namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>
/// Where the app's storage account is. Read from the same <c>AzureWebJobsStorage</c> setting the
/// Functions host uses: a connection string locally (Azurite), or the identity-based form in Azure
/// (<c>AzureWebJobsStorage__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__tableServiceUri</c>,
/// <c>__clientId</c> for a user-assigned managed identity) so that no key sits in app settings.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "AzureWebJobsStorage";

    public string? ConnectionString { get; set; }
    public Uri? BlobServiceUri { get; set; }
    public Uri? QueueServiceUri { get; set; }
    public Uri? TableServiceUri { get; set; }
    public string? ClientId { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield break;
        }

        if (BlobServiceUri is null || QueueServiceUri is null || TableServiceUri is null)
        {
            yield return new ValidationResult(
                "AzureWebJobsStorage is not configured: set a connection string, or blobServiceUri, queueServiceUri and tableServiceUri for an identity-based connection.",
                [nameof(ConnectionString)]);
        }
    }
}
