using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd;

/// <summary>One Azurite for the end-to-end tests; each test starts the runner processes it needs against it.</summary>
[CollectionDefinition(Name)]
public sealed class SharedAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
