using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd;

/// <summary>The end-to-end tests of the PosGreenPoints app: one Azurite and one runner process for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class FunctionAppTests : ICollectionFixture<FunctionAppFixture>
{
    public const string Name = "FunctionApp";
}
