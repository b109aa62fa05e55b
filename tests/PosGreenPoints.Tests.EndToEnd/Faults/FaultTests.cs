namespace PosGreenPoints.Tests.EndToEnd.Faults;

/// <summary>
/// The fault tests of operations.md, "Reliability targets": each starts its own Azurite and runner
/// processes (<see cref="FaultScenario"/>), kills or stops them, and checks the books. One collection, so
/// that they run one at a time; and apart from every other collection, as they time the app's answers
/// and aim kills at moments that a machine busy with other tests' processes would blur.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultTests
{
    public const string Name = "Faults";
}
