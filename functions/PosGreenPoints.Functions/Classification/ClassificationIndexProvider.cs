using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Classification;

/// <summary>Settings of classification (section <c>Classification</c>).</summary>
public sealed class ClassificationOptions
{
    public const string SectionName = "Classification";

    /// <summary>
    /// How often an instance looks for newly published list versions: a publish reaches scoring at most
    /// this long after it. Zero looks on every call (tests).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The instance's classification index: the current version of every list in the rules, in memory.
/// It reads each list's <c>current.json</c> at most once per <see cref="ClassificationOptions.RefreshInterval"/>
/// and loads a version only when that names a new one; unchanged lists keep their loaded index,
/// and callers that arrive while a refresh runs wait for that one instead of starting their own. A
/// snapshot once handed out never changes, so a receipt is scored on one set of versions even while a
/// list is published.
/// </summary>
public sealed class ClassificationIndexProvider(
    PointsRules rules,
    ProductListStore store,
    IOptions<ClassificationOptions> options,
    TimeProvider clock,
    ILogger<ClassificationIndexProvider> logger)
{
    private readonly TimeSpan _refreshInterval = options.Value.RefreshInterval;
    private readonly Lock _gate = new();
    private ClassificationSnapshot? _snapshot;
    // The same snapshot as a completed task, so that the common call allocates nothing.
    private Task<ClassificationSnapshot>? _snapshotTask;
    private long _checkedAt;
    private Task<ClassificationSnapshot>? _refresh;

    // Bumped by Invalidate: a refresh started before it may have read the old pointers, so neither its
    // check nor its snapshot counts for the generations after it.
    private long _generation;
    private long _refreshGeneration = -1;
    private long _appliedGeneration = -1;

    /// <summary>A list was published here: the next caller reads the current versions again instead of waiting for the interval.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _generation++;
        }
    }

    /// <summary>The snapshot to classify one receipt with.</summary>
    public Task<ClassificationSnapshot> GetCurrentAsync(CancellationToken cancellationToken)
    {
        Task<ClassificationSnapshot> refresh;
        lock (_gate)
        {
            if (_snapshotTask is not null && _appliedGeneration == _generation && clock.GetElapsedTime(_checkedAt) < _refreshInterval)
            {
                return _snapshotTask;
            }

            // A refresh that failed (storage down) is not kept: the next caller tries again. Not the
            // caller's token: every caller waiting on this refresh needs it, whoever gives up.
            if (_refresh is null || _refresh.IsCompleted || _refreshGeneration != _generation)
            {
                var generation = _refreshGeneration = _generation;
                _refresh = Task.Run(() => RefreshAsync(generation), CancellationToken.None);
            }

            refresh = _refresh;
        }

        return refresh.WaitAsync(cancellationToken);
    }

    private async Task<ClassificationSnapshot> RefreshAsync(long generation)
    {
        var checkedAt = clock.GetTimestamp();
        ClassificationSnapshot? previous;
        lock (_gate)
        {
            previous = _snapshot;
        }

        var listIds = rules.Lists.Keys.ToList();
        var currents = await Task.WhenAll(listIds.Select(listId => store.ReadCurrentAsync(listId, CancellationToken.None)));
        var published = listIds.Zip(currents)
            .Where(list => list.Second is not null)
            .Select(list => (ListId: list.First, list.Second!.Published))
            .ToList();

        var loaded = previous?.Lists.ToDictionary(list => list.ListId, StringComparer.Ordinal) ?? [];
        bool IsLoaded((string ListId, PublishedVersion Published) list) =>
            loaded.TryGetValue(list.ListId, out var index) && index.Version == list.Published.Version;

        var snapshot = previous is not null && published.Count == loaded.Count && published.All(IsLoaded)
            ? previous
            : new ClassificationSnapshot(await Task.WhenAll(published.Select(list =>
                IsLoaded(list) ? Task.FromResult(loaded[list.ListId]) : LoadAsync(list.ListId, list.Published))));

        lock (_gate)
        {
            if (generation < _appliedGeneration)
            {
                return snapshot;
            }

            if (!ReferenceEquals(snapshot, _snapshot))
            {
                _snapshot = snapshot;
                _snapshotTask = Task.FromResult(snapshot);
            }

            _checkedAt = checkedAt;
            _appliedGeneration = generation;
        }

        return snapshot;
    }

    private async Task<ProductListIndex> LoadAsync(string listId, PublishedVersion published)
    {
        var started = clock.GetTimestamp();
        await using var csv = await store.OpenVersionAsync(published, CancellationToken.None);
        var index = await ProductListIndex.LoadAsync(csv, listId, published.Version, CancellationToken.None);
        logger.LogInformation(
            "Loaded version {Version} of {ListId}: {RowCount} rows, {MatchableRowCount} that can match, in {DurationMs} ms",
            published.Version, listId, index.RowCount, index.MatchableRowCount, (long)clock.GetElapsedTime(started).TotalMilliseconds);
        return index;
    }
}
