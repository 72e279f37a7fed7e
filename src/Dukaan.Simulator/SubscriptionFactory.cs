using Bogus;
using Dukaan.Contract;

namespace Dukaan.Simulator;

/// <summary>What the control API accepts when creating a subscription; anything left out is made up by Bogus.</summary>
public sealed record CreateSubscriptionRequest(
    string? Id = null,
    Tier? Tier = null,
    Dictionary<string, string>? Config = null,
    Dictionary<string, string>? Sensitive = null,
    List<string>? SensitiveFields = null,
    string? ProviderKeyField = null,
    string? WebhookUrl = null);

/// <summary>
/// Makes buyers, listings and config from a seed, so a run is reproducible, and fills every sensitive field with a canary:
/// a value unique to the run that can be searched for in logs, files and requests.
/// </summary>
public sealed class SubscriptionFactory(int seed)
{
    public const string DefaultProviderKeyField = "openai_api_key";
    private readonly Faker _faker = new() { Random = new Randomizer(seed) };
    private readonly Lock _gate = new();
    private int _counter;

    public Subscription Create(CreateSubscriptionRequest request, Uri? defaultWebhook)
    {
        lock (_gate)
        {
            _counter++;
            var id = request.Id ?? $"sub_{_faker.Random.Hexadecimal(12, prefix: "")}";
            var tier = request.Tier ?? new Tier(
                _faker.PickRandom("Starter", "Growth", "Pro"), _faker.PickRandom(999, 1999, 3999),
                _faker.PickRandom(1000, 5000, 6000), ["whatsapp", "reports"]);
            // Lock is re-entrant (NewCanary below relies on it too); the fields draw in this order, which the seed replay needs.
            var config = request.Config ?? PlainConfig(["business_name", "language"]);
            var providerField = request.ProviderKeyField ?? DefaultProviderKeyField;
            IEnumerable<string> sensitiveFields = request.SensitiveFields ?? (IEnumerable<string>?)request.Sensitive?.Keys ?? [providerField];
            var sensitive = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in sensitiveFields)
                sensitive[field] = request.Sensitive?.GetValueOrDefault(field) ?? NewCanary(field);
            var webhook = request.WebhookUrl is null ? defaultWebhook : new Uri(request.WebhookUrl);
            return new Subscription(id, $"buyer_{_faker.Random.Hexadecimal(12, prefix: "")}", $"listing_{_faker.Random.Hexadecimal(8, prefix: "")}",
                tier, config, sensitive, providerField, webhook);
        }
    }

    public Dictionary<string, string> PlainConfig(IEnumerable<string> fields)
    {
        lock (_gate)
            return fields.ToDictionary(f => f, f => f switch
            {
                "business_name" => PlainText(_faker.Company.CompanyName()),
                "language" => _faker.PickRandom("hinglish", "english", "hindi"),
                _ => PlainText(_faker.Lorem.Word()) + " " + _faker.Random.Number(1, 999).ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, StringComparer.Ordinal);
    }

    /// <summary>
    /// Generated values stay plain ASCII letters, digits and spaces: an apostrophe or ampersand is escaped differently by
    /// each language's JSON writer, which would make the re-serialization mistake show up or not depending on the seed.
    /// The non-canonical-body scenario adds such characters on purpose.
    /// </summary>
    private static string PlainText(string text) => new([.. text.Where(c => char.IsAsciiLetterOrDigit(c) || c == ' ')]);

    /// <summary>
    /// Canaries look like the real thing (an OpenAI key starts with sk-) but carry a marker that never occurs by chance.
    /// </summary>
    public string NewCanary(string field)
    {
        lock (_gate)
        {
            var prefix = field.Contains("openai", StringComparison.OrdinalIgnoreCase) ? "sk-" : "";
            return $"{prefix}dkcanary{_faker.Random.AlphaNumeric(20)}";
        }
    }
}
