namespace PosGreenPoints.Contracts.ProductLists;

/// <summary>
/// The answer to <c>POST /api/v1/admin/product-lists/{listId}/uploads</c>: where to put a list too large
/// for the <c>PUT</c>, before publishing it by its <see cref="Upload"/> name.
/// </summary>
/// <param name="Upload">The upload's name, to pass to <c>publish</c>.</param>
/// <param name="UploadUrl">A short-lived, write-only SAS URL of a new blob: upload the CSV there with a <c>PUT</c> (<c>x-ms-blob-type: BlockBlob</c>) or azcopy.</param>
/// <param name="ExpiresAt">When the URL stops working.</param>
public sealed record ProductListUpload(string Upload, string UploadUrl, DateTimeOffset ExpiresAt);
