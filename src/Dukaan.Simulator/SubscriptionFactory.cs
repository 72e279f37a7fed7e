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
/// a value unique to the run that can be searched for in logs, files and requests. Each subscription draws from its own
/// stream (<see cref="SeedStream"/>), keyed by its scope (the scenario that asked for it) and how many that scope made
/// before it, so the same seed gives a scenario the same buyers whichever scenarios run beside it.
/// </summary>
public sealed class SubscriptionFactory(int seed)
{
    public const string DefaultProviderKeyField = "openai_api_key";

    /// <summary>The scope of subscriptions made outside any scenario (the control API, <c>simulate</c>).</summary>
    public const string DefaultScope = "platform";

    private static readonly string[] DefaultPlainFields = ["business_name", "language"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _madeIn = new(StringComparer.Ordinal);
    // A subscription's own stream, kept for the canaries of its key rotations.
    private readonly Dictionary<string, Randomizer> _streams = new(StringComparer.Ordinal);

    /// <param name="scope">Who asks (a scenario's name); null is <see cref="DefaultScope"/>.</param>
    /// <param name="plainFields">The listing's non-sensitive fields, generated when the request gives no config.</param>
    public Subscription Create(CreateSubscriptionRequest request, Uri? defaultWebhook, string? scope = null, IReadOnlyList<string>? plainFields = null)
    {
        scope ??= DefaultScope;
        lock (_gate)
        {
            var n = _madeIn.GetValueOrDefault(scope);
            _madeIn[scope] = n + 1;
            var random = new Randomizer(SeedStream.Derive(seed, scope, n));
            var faker = new Faker { Random = random };
            // The fields draw from the stream in this order; changing it changes every buyer a seed replays.
            var id = request.Id ?? $"sub_{random.Hexadecimal(12, prefix: "")}";
            var tier = request.Tier ?? new Tier(
                faker.PickRandom("Starter", "Growth", "Pro"), faker.PickRandom(999, 1999, 3999),
                faker.PickRandom(1000, 5000, 6000), ["whatsapp", "reports"]);
            var config = request.Config ?? PlainConfig(faker, plainFields ?? DefaultPlainFields);
            var providerField = request.ProviderKeyField ?? DefaultProviderKeyField;
            IEnumerable<string> sensitiveFields = request.SensitiveFields ?? (IEnumerable<string>?)request.Sensitive?.Keys ?? [providerField];
            var sensitive = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in sensitiveFields)
                sensitive[field] = request.Sensitive?.GetValueOrDefault(field) ?? Canary(random, field);
            var webhook = request.WebhookUrl is null ? defaultWebhook : new Uri(request.WebhookUrl);
            var subscription = new Subscription(id, $"buyer_{random.Hexadecimal(12, prefix: "")}", $"listing_{random.Hexadecimal(8, prefix: "")}",
                tier, config, sensitive, providerField, webhook);
            _streams[id] = random;
            return subscription;
        }
    }

    private static Dictionary<string, string> PlainConfig(Faker faker, IEnumerable<string> fields) =>
        fields.ToDictionary(f => f, f => f switch
        {
            "business_name" => PlainText(faker.Company.CompanyName()),
            "language" => faker.PickRandom("hinglish", "english", "hindi"),
            _ => PlainText(faker.Lorem.Word()) + " " + faker.Random.Number(1, 999).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, StringComparer.Ordinal);

    /// <summary>
    /// Generated values stay plain ASCII letters, digits and spaces: an apostrophe or ampersand is escaped differently by
    /// each language's JSON writer, which would make the re-serialization mistake show up or not depending on the seed.
    /// The non-canonical-body scenario adds such characters on purpose.
    /// </summary>
    private static string PlainText(string text) => new([.. text.Where(c => char.IsAsciiLetterOrDigit(c) || c == ' ')]);

    /// <summary>
    /// A new canary for one of <paramref name="subscription"/>'s fields (a key rotation), from that subscription's own
    /// stream: the n-th rotation of a buyer is the same value whatever else the run does.
    /// </summary>
    public string NewCanary(Subscription subscription, string field)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(subscription.Id, out var random))
                _streams[subscription.Id] = random = new Randomizer(SeedStream.Derive(seed, "rotation:" + subscription.Id, 0));
            return Canary(random, field);
        }
    }

    /// <summary>
    /// Canaries look like the real thing (an OpenAI key starts with sk-) but carry a marker that never occurs by chance.
    /// </summary>
    private static string Canary(Randomizer random, string field)
    {
        var prefix = field.Contains("openai", StringComparison.OrdinalIgnoreCase) ? "sk-" : "";
        return $"{prefix}dkcanary{random.AlphaNumeric(20)}";
    }
}
