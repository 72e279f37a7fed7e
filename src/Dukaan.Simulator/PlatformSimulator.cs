using Dukaan.Contract;

namespace Dukaan.Simulator;

/// <summary>
/// The fake platform's behaviour, independent of HTTP: the control API and the conformance engine both drive it.
/// </summary>
public sealed class PlatformSimulator(SimulatorOptions options, DeliveryEngine delivery, Transcript transcript)
{
    private readonly SubscriptionFactory _factory = new(options.Seed);

    public SimulatorOptions Options { get; } = options;
    public SubscriptionStore Store { get; } = new();
    public Transcript Transcript { get; } = transcript;
    public DeliveryEngine Delivery { get; } = delivery;
    public TimeProvider Clock => Options.Clock;

    /// <summary>Where the agent reaches the platform; set once the server has its port.</summary>
    public Uri BaseUrl { get; set; } = options.PublicBaseUrl ?? new Uri("http://127.0.0.1/");

    /// <summary>The OpenAI-style provider's base URL, ending in /v1 as OPENAI_BASE_URL does.</summary>
    public Uri ProviderBaseUrl => new(BaseUrl, "v1");

    public Subscription CreateSubscription(CreateSubscriptionRequest request)
    {
        var subscription = _factory.Create(request, Options.AgentWebhookUrl);
        if (!Store.TryAdd(subscription))
            throw new SimulatorException(409, "SUBSCRIPTION_EXISTS", $"A subscription with id '{subscription.Id}' already exists; omit \"id\" to get a fresh one.");
        subscription.AddAudit(new AuditEntry(Clock.GetUtcNow(), "subscription.created", $"tier {subscription.Tier.Name}, limit {subscription.RunLimit}"));
        return subscription;
    }

    /// <summary>Plain generated values for the given non-sensitive field ids (reproducible from the seed).</summary>
    public Dictionary<string, string> PlainConfig(IEnumerable<string> fields) => _factory.PlainConfig(fields);

    public Subscription Require(string id) =>
        Store.Find(id) ?? throw new SimulatorException(404, ErrorCodes.SubscriptionNotFound, $"No subscription '{id}'. List them with GET /_sim/subscriptions.");

    /// <summary>The buyer_configured body for a subscription as it stands now.</summary>
    public BuyerConfigured BuildBuyerConfigured(Subscription subscription) => new(
        EventTypes.BuyerConfigured, subscription.Id, subscription.BuyerId, subscription.ListingId, subscription.Tier,
        subscription.NonSensitiveConfig, subscription.SensitiveFields,
        new Uri(BaseUrl, ApiPaths.Config(subscription.Id).TrimStart('/')).ToString(),
        Clock.GetUtcNow().ToUnixTimeMilliseconds());

    public Uri WebhookUrlOf(Subscription subscription, Uri? overrideUrl = null) =>
        overrideUrl ?? subscription.WebhookUrl ?? Options.AgentWebhookUrl
        ?? throw new SimulatorException(409, "NO_WEBHOOK_URL",
            "No webhook URL is known for this delivery: start the simulator with --agent-url, or give \"webhookUrl\" when creating the subscription.");

    /// <summary>A validly signed buyer_configured for the subscription as it stands now, addressed to <paramref name="url"/>.</summary>
    public OutgoingDelivery SignedDelivery(Subscription subscription, Uri url) =>
        OutgoingDelivery.Signed(subscription.Id, EventTypes.BuyerConfigured, url, DeliveryEngine.Serialize(BuildBuyerConfigured(subscription)), Options.Secret);

    public async Task<DeliveryResult> DeliverAsync(Subscription subscription, DeliveryPolicy? policy, CancellationToken cancellationToken, Uri? webhookUrl = null)
    {
        var outgoing = SignedDelivery(subscription, WebhookUrlOf(subscription, webhookUrl));
        return await SendAsync(subscription, outgoing, policy, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeliveryResult> SendAsync(Subscription subscription, OutgoingDelivery outgoing, DeliveryPolicy? policy, CancellationToken cancellationToken)
    {
        var result = await Delivery.SendAsync(outgoing, policy ?? Options.Delivery, cancellationToken).ConfigureAwait(false);
        subscription.AddDelivery(result);
        subscription.AddAudit(new AuditEntry(Clock.GetUtcNow(), "delivery." + (result.Delivered ? "delivered" : "failed"),
            $"{result.Attempts.Count} attempt(s) to {result.Url}"));
        return result;
    }

    /// <summary>The buyer re-submits a sensitive field: a new value (a fresh canary unless given), then a new buyer_configured.</summary>
    public (string Field, string NewValue) Rotate(Subscription subscription, string? field, string? value)
    {
        var name = field ?? subscription.ProviderKeyField;
        if (!subscription.HasSensitiveField(name))
            throw new SimulatorException(400, ErrorCodes.ValidationFailed,
                $"'{name}' is not a sensitive field of {subscription.Id}; its sensitive fields are: {string.Join(", ", subscription.SensitiveFields)}.");
        var newValue = value ?? _factory.NewCanary(name);
        subscription.Rotate(name, newValue);
        subscription.AddAudit(new AuditEntry(Clock.GetUtcNow(), "config.rotated", name));
        return (name, newValue);
    }

    public void SetStatus(Subscription subscription, SubscriptionStatus status)
    {
        subscription.SetStatus(status);
        subscription.AddAudit(new AuditEntry(Clock.GetUtcNow(), "status.changed", status.ToString()));
    }
}

/// <summary>A request the simulator refuses, with the status and error code it answers.</summary>
public sealed class SimulatorException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}
