using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Points;

/// <summary>
/// The points rules (lists-and-rules.md, "Points rules"): which product lists count, at what rate, and
/// the caps. Configuration, not code: a new list is an entry here plus its CSV.
/// </summary>
/// <param name="Version">Recorded with every scoring decision, so a result can be traced to its rules.</param>
/// <param name="Lists">By list id (ordinal), the id that names the list in the admin API and in its storage.</param>
public sealed partial record PointsRules(
    string Version,
    IReadOnlyDictionary<string, ListRule> Lists,
    long MaxPointsPerReceipt,
    long MaxPointsPerMemberPerDay)
{
    public const int MaxListIdLength = 64;

    /// <summary>Pending days, validity and value of points (wallet.md); the spec's defaults when the file has no <c>wallet</c> section.</summary>
    public WalletRules Wallet { get; init; } = WalletRules.Default;

    /// <summary>Activity types by id (activities.md): what a low-carbon service earns. None when the file has no <c>activities</c> section.</summary>
    public IReadOnlyDictionary<string, ActivityRule> Activities { get; init; } = new Dictionary<string, ActivityRule>(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Strict, because a typo in a rate's name must stop the app, not silently earn 0 points.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        PropertyNameCaseInsensitive = false,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Reads and validates a rules file.</summary>
    /// <exception cref="InvalidDataException">The file is missing, is not rules JSON, or breaks a rule of <see cref="Validate"/>.</exception>
    public static PointsRules Load(string path)
    {
        PointsRules? rules;
        try
        {
            using var file = File.OpenRead(path);
            rules = JsonSerializer.Deserialize<PointsRules>(file, Json);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidDataException($"The points rules {path} cannot be read: {failure.Message}", failure);
        }

        if (rules is null)
        {
            throw new InvalidDataException($"The points rules {path} are null.");
        }

        var errors = rules.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidDataException($"The points rules {path} are not valid: {string.Join(" ", errors)}");
        }

        // Ordinal whatever the deserializer chose: list ids are storage names and must not meet by case.
        return rules with
        {
            Lists = new Dictionary<string, ListRule>(rules.Lists, StringComparer.Ordinal),
            Activities = new Dictionary<string, ActivityRule>(rules.Activities, StringComparer.Ordinal),
        };
    }

    /// <returns>What is wrong with these rules; empty when they are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Version))
        {
            errors.Add("version must not be empty.");
        }

        if (Lists.Count == 0)
        {
            errors.Add("lists must name at least one list.");
        }

        foreach (var (listId, rule) in Lists)
        {
            if (!IsValidListId(listId))
            {
                errors.Add($"The list id '{listId}' must be 1–{MaxListIdLength} characters of a–z, 0–9 and '-'.");
            }

            if (rule.PointsPerYuan < 0)
            {
                errors.Add($"lists.{listId}.pointsPerYuan must be zero or more.");
            }

            if (rule.RequiredColumns.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"lists.{listId}.requiredColumns must not hold an empty name.");
            }

            foreach (var duplicate in rule.RequiredColumns.GroupBy(name => name, StringComparer.Ordinal).Where(group => group.Count() > 1))
            {
                errors.Add($"lists.{listId}.requiredColumns names '{duplicate.Key}' more than once.");
            }

            foreach (var column in ProductListColumns.AlwaysRequired.Where(column => !rule.RequiredColumns.Contains(column, StringComparer.Ordinal)))
            {
                errors.Add($"lists.{listId}.requiredColumns must include '{column}'.");
            }
        }

        if (MaxPointsPerReceipt <= 0)
        {
            errors.Add("maxPointsPerReceipt must be more than zero.");
        }

        if (MaxPointsPerMemberPerDay <= 0)
        {
            errors.Add("maxPointsPerMemberPerDay must be more than zero.");
        }

        errors.AddRange(Wallet.Validate());
        foreach (var (type, rule) in Activities)
        {
            if (!IsValidListId(type))
            {
                errors.Add($"The activity type '{type}' must be 1–{MaxListIdLength} characters of a–z, 0–9 and '-'.");
            }

            errors.AddRange(rule.Validate(type));
        }

        return errors;
    }

    public static bool IsValidListId(string listId) => ListIdPattern().IsMatch(listId);

    [GeneratedRegex("^[a-z0-9-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ListIdPattern();
}

/// <summary>One product list in the rules.</summary>
/// <param name="PointsPerYuan">Points per yuan of a line's net amount, summed over the lists a line matches.</param>
/// <param name="RequiredColumns">The CSV header must name each of these; a list must require gtin, valid_from and valid_to.</param>
public sealed record ListRule(decimal PointsPerYuan, IReadOnlyList<string> RequiredColumns);

/// <summary>One activity type in the rules (activities.md, "Points for an activity").</summary>
/// <param name="Name">Shown as the settlement row's <c>product_name</c>.</param>
/// <param name="Unit">What <c>quantity</c> counts (trip, km, kg, item); for people, not arithmetic.</param>
/// <param name="PointsPerUnit">Points = floor(quantity × this), before the caps.</param>
/// <param name="MaxQuantity">The most one activity may count; more is a 400 at <c>quantity</c>.</param>
/// <param name="MaxPointsPerMemberPerDay">What a member earns from this type per business date, across all chains.</param>
/// <param name="PendingDays">Days until the award's lot can be redeemed; 0 (spendable at once) unless set.</param>
public sealed record ActivityRule(string Name, string Unit, decimal PointsPerUnit, decimal MaxQuantity, long MaxPointsPerMemberPerDay, int PendingDays = 0)
{
    public const int MaxNameLength = 200;

    public TimeSpan PendingPeriod => TimeSpan.FromDays(PendingDays);

    /// <summary>Points before the caps: floor(quantity × pointsPerUnit).</summary>
    public long PointsFor(decimal quantity) => (long)decimal.Floor(quantity * PointsPerUnit);

    public IEnumerable<string> Validate(string type)
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxNameLength)
        {
            yield return $"activities.{type}.name must be 1–{MaxNameLength} characters.";
        }

        if (string.IsNullOrWhiteSpace(Unit))
        {
            yield return $"activities.{type}.unit must not be empty.";
        }

        if (PointsPerUnit < 0)
        {
            yield return $"activities.{type}.pointsPerUnit must be zero or more.";
        }

        if (MaxQuantity <= 0 || MaxQuantity > Contracts.Limits.MaxQuantity || decimal.Round(MaxQuantity, Contracts.Limits.QuantityDecimals) != MaxQuantity)
        {
            yield return $"activities.{type}.maxQuantity must be more than 0, at most {Contracts.Limits.MaxQuantity}, with at most {Contracts.Limits.QuantityDecimals} decimals.";
        }

        if (MaxPointsPerMemberPerDay <= 0)
        {
            yield return $"activities.{type}.maxPointsPerMemberPerDay must be more than zero.";
        }

        if (PendingDays is < 0 or > 366)
        {
            yield return $"activities.{type}.pendingDays must be 0–366.";
        }
    }
}

/// <summary>Where the rules file is (section <c>Rules</c>).</summary>
public sealed class PointsRulesOptions
{
    public const string SectionName = "Rules";
    public const string DefaultFileName = "rules.json";

    /// <summary>The rules file; relative to the app's folder. Default <see cref="DefaultFileName"/> there.</summary>
    public string? Path { get; set; }

    /// <summary>
    /// The app's folder is where the app assembly is, not <see cref="AppContext.BaseDirectory"/>: under the
    /// local runner the process is the runner's, while the build copies rules.json next to the app. Under
    /// the Functions host the two are the same folder.
    /// </summary>
    public string ResolvedPath => System.IO.Path.GetFullPath(
        Path is { Length: > 0 } path ? path : DefaultFileName,
        System.IO.Path.GetDirectoryName(typeof(PointsRules).Assembly.Location)!);
}

/// <summary>Refuses to start the app with a rules file that cannot be read or is not valid.</summary>
public sealed class PointsRulesOptionsValidation : IValidateOptions<PointsRulesOptions>
{
    public ValidateOptionsResult Validate(string? name, PointsRulesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            PointsRules.Load(options.ResolvedPath);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidDataException failure)
        {
            return ValidateOptionsResult.Fail(failure.Message);
        }
    }
}
