using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration;

/// <summary>One in-memory Azurite for the integration tests of this assembly.</summary>
[CollectionDefinition(Name)]
public sealed class SharedAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
