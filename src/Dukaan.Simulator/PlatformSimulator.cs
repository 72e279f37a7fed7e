using Dukaan.Contract;
using Dukaan.Simulator.Chat;
using Dukaan.Simulator.Faults;

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
    public LyingFiles Files { get; } = new(transcript, options.Clock);

    /// <summary>Where the agent reaches the platform; set once the server has its port.</summary>
    public Uri BaseUrl { get; set; } = options.PublicBaseUrl ?? new Uri("http://127.0.0.1/");

    /// <summary>The OpenAI-style provider's base URL, ending in /v1 as OPENAI_BASE_URL does.</summary>
    public Uri ProviderBaseUrl => new(BaseUrl, "v1");

    /// <param name="scope">Who asks for it (a scenario's name): each scope draws its buyers from its own stream of the seed.</param>
    /// <param name="plainFields">The listing's non-sensitive fields, generated when the request gives no config.</param>
    public Subscription CreateSubscription(CreateSubscriptionRequest request, string? scope = null, IReadOnlyList<string>? plainFields = null)
    {
        var subscription = _factory.Create(request, Options.AgentWebhookUrl, scope, plainFields);
        subscription.OpenChat(Options.Chat);
        if (!Store.TryAdd(subscription))
            throw new SimulatorException(409, "SUBSCRIPTION_EXISTS", $"A subscription with id '{subscription.Id}' already exists; omit \"id\" to get a fresh one.");
        subscription.AddAudit(new AuditEntry(Clock.GetUtcNow(), "subscription.created", $"tier {subscription.Tier.Name}, limit {subscription.RunLimit}"));
        return subscription;
    }

    public Subscription Require(string id) =>
        Store.Find(id) ?? throw new SimulatorException(404, ErrorCodes.SubscriptionNotFound, $"No subscription '{id}'. List them with GET /_sim/subscriptions.");

    /// <summary>The buyer_configured body for a subscription as it stands now.</summary>
    public BuyerConfigured BuildBuyerConfigured(Subscription subscription) => new(
        EventTypes.BuyerConfigured, subscription.Id, subscription.BuyerId, subscription.ListingId, subscription.Tier,
        Options.Has(SimulatorBreaks.SecretInBody) ? subscription.FullConfig() : subscription.NonSensitiveConfig, subscription.SensitiveFields,
        // credentials-url-buyer-id: the bug of a template filled with the wrong id.
        new Uri(BaseUrl, ApiPaths.Config(Options.Has(SimulatorBreaks.CredentialsUrlBuyerId) ? subscription.BuyerId : subscription.Id).TrimStart('/')).ToString(),
        Clock.GetUtcNow().ToUnixTimeMilliseconds());

    public Uri WebhookUrlOf(Subscription subscription, Uri? overrideUrl = null) =>
        overrideUrl ?? subscription.WebhookUrl ?? Options.AgentWebhookUrl
        ?? throw new SimulatorException(409, "NO_WEBHOOK_URL",
            "No webhook URL is known for this delivery: start the simulator with --agent-url, or give \"webhookUrl\" when creating the subscription.");

    /// <summary>A validly signed buyer_configured for the subscription as it stands now, addressed to <paramref name="url"/>.</summary>
    public OutgoingDelivery SignedDelivery(Subscription subscription, Uri url)
    {
        var body = DeliveryEngine.Serialize(BuildBuyerConfigured(subscription));
        if (Options.Has(SimulatorBreaks.ConfigBase64InBody))
        {
            // The bug of a platform that believes base64 hides a value: the whole config rides along "encoded".
            var node = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
            node["configB64"] = Convert.ToBase64String(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(subscription.FullConfig(), ContractJson.Options));
            body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(node, ContractJson.Options);
        }
        var delivery = OutgoingDelivery.Signed(subscription.Id, Options.Has(SimulatorBreaks.EventHeaderDotted) ? "buyer.configured" : EventTypes.BuyerConfigured,
            url, body, Options.Secret);
        if (Options.Has(SimulatorBreaks.SignParsedJson))
        {
            // The bug of a platform that signs the object it serialized once and sends it serialized again, differently.
            using var parsed = System.Text.Json.JsonDocument.Parse(body);
            delivery = delivery with { Body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(parsed.RootElement, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) };
        }
        if (Options.Has(SimulatorBreaks.NoEventHeader))
            delivery = delivery with { Headers = delivery.Headers.Where(h => h.Key != Contract.Headers.Event).ToDictionary() };
        return delivery;
    }

    public async Task<DeliveryResult> DeliverAsync(Subscription subscription, DeliveryPolicy? policy, CancellationToken cancellationToken, Uri? webhookUrl = null)
    {
        var url = WebhookUrlOf(subscription, webhookUrl);
        var outgoing = SignedDelivery(subscription, url);
        // new-bytes-on-retry: the broken platform rebuilds each retry (a new timestamp) instead of resending what it signed.
        var rebuild = Options.Has(SimulatorBreaks.NewBytesOnRetry) ? () => SignedDelivery(subscription, url) : (Func<OutgoingDelivery>?)null;
        return await SendAsync(subscription, outgoing, policy, cancellationToken, rebuild).ConfigureAwait(false);
    }

    public async Task<DeliveryResult> SendAsync(Subscription subscription, OutgoingDelivery outgoing, DeliveryPolicy? policy, CancellationToken cancellationToken,
        Func<OutgoingDelivery>? rebuildForRetry = null, Action<DeliveryAttempt>? onAttempt = null)
    {
        var effective = policy ?? Options.Delivery;
        if (Options.Has(SimulatorBreaks.Timeout5s)) effective = effective with { AttemptTimeout = TimeSpan.FromSeconds(5) };
        if (Options.Has(SimulatorBreaks.NoRetry)) effective = effective with { MaxRetries = 0 };
        if (Options.Has(SimulatorBreaks.NoRetryOnTimeout)) effective = effective with { RetryOn = RetryOn.AnsweredOnly };
        if (Options.Has(SimulatorBreaks.RetryDelaysMs)) effective = effective with { BaseDelay = effective.BaseDelay / 1000 };
        if (Options.Has(SimulatorBreaks.Retry5Times) && effective.MaxRetries > 0) effective = effective with { MaxRetries = 5 };
        // per-read-timeout: no budget for the attempt as a whole; its 10 s bound each socket read instead (SimulatorApp's client).
        if (Options.Has(SimulatorBreaks.PerReadTimeout)) effective = effective with { AttemptTimeout = Timeout.InfiniteTimeSpan };
        if (Options.Has(SimulatorBreaks.LateAnswerCounts)) effective = effective with { AttemptTimeout = effective.AttemptTimeout + TimeSpan.FromSeconds(1) };
        var faults = new DeliveryFaults(Options.Has(SimulatorBreaks.RetryAfter2xx), rebuildForRetry);
        var result = await Delivery.SendAsync(outgoing, effective, cancellationToken, faults, onAttempt).ConfigureAwait(false);
        subscription.AddDelivery(result);
        subscription.AddAudit(new AuditEntry(Clock.GetUtcNow(), "delivery." + (result.Delivered ? "delivered" : "failed"),
            $"{result.Attempts.Count} attempt(s) to {result.Url}"));
        return result;
    }

    /// <summary>
    /// A buyer message as the platform relays it (002 §6.2, decision 9): the conversation's capabilities (or
    /// <paramref name="platform"/>, to narrow them as an older renderer would), the saved state, and an attachment if any.
    /// </summary>
    public ChatMessageRelay BuildChatRelay(Subscription subscription, string text, ChatPlatform? platform = null, ChatFileRef? file = null) => new(
        EventTypes.ChatMessage, subscription.Id, subscription.BuyerId, subscription.ListingId,
        "msg_" + Guid.NewGuid().ToString("N")[..12], text, platform ?? subscription.Chat.Platform(), subscription.Chat.State, file,
        Clock.GetUtcNow().ToUnixTimeMilliseconds());

    public static byte[] Serialize(ChatMessageRelay relay) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(relay, ContractJson.Options);

    /// <summary>A relay signed like buyer_configured (raw-body HMAC) with <c>X-AgentDukaan-Event: chat_message</c>; the buyer's bubble is added.</summary>
    public OutgoingDelivery SignedRelay(Subscription subscription, ChatMessageRelay relay, Uri url)
    {
        subscription.Chat.AddBuyerMessage(relay.MessageId, relay.Text, relay.FileRef?.Name, Clock.GetUtcNow());
        return OutgoingDelivery.Signed(subscription.Id, EventTypes.ChatMessage, url, Serialize(relay), Options.Secret) with { Kind = ExchangeKinds.ChatRelay };
    }

    /// <summary>The buyer types <paramref name="text"/> (and attaches a lying file when asked); the relay goes out with retries.</summary>
    public async Task<(ChatMessageRelay Relay, DeliveryResult Result)> RelayAsync(Subscription subscription, string text, bool attachFile, DeliveryPolicy? policy,
        CancellationToken cancellationToken, Uri? webhookUrl = null)
    {
        var url = WebhookUrlOf(subscription, webhookUrl);
        var file = attachFile ? Files.Add(subscription.Id).Declared : null;
        var relay = BuildChatRelay(subscription, text, file: file);
        return (relay, await SendAsync(subscription, SignedRelay(subscription, relay, url), policy, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The buyer re-submits a sensitive field: a new value (a fresh canary unless given), then a new buyer_configured.</summary>
    public (string Field, string NewValue) Rotate(Subscription subscription, string? field, string? value)
    {
        var name = field ?? subscription.ProviderKeyField;
        if (!subscription.HasSensitiveField(name))
            throw new SimulatorException(400, ErrorCodes.ValidationFailed,
                $"'{name}' is not a sensitive field of {subscription.Id}; its sensitive fields are: {string.Join(", ", subscription.SensitiveFields)}.");
        var newValue = value ?? _factory.NewCanary(subscription, name);
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
