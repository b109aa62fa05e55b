namespace PosGreenPoints.Contracts.ProductLists;

/// <summary>The body of <c>POST /api/v1/admin/product-lists/{listId}/publish</c>.</summary>
/// <param name="Upload">The name an earlier <c>uploads</c> call answered, whose blob now holds the CSV.</param>
public sealed record ProductListPublish(string Upload);
