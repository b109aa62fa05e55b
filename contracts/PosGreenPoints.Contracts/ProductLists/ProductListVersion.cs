namespace PosGreenPoints.Contracts.ProductLists;

/// <summary>A published, immutable version of a product list: the answer to a publish, and an entry of the list of current versions.</summary>
/// <param name="ListId">The list, such as <c>certified-green</c> or <c>low-voc</c>.</param>
/// <param name="Version">The version's id; receipt matches record it.</param>
/// <param name="RowCount">The CSV's data rows.</param>
/// <param name="Sha256">The SHA-256 of the published CSV's bytes, as lowercase hex.</param>
/// <param name="PublishedAt">When the version became current.</param>
public sealed record ProductListVersion(string ListId, string Version, int RowCount, string Sha256, DateTimeOffset PublishedAt);
