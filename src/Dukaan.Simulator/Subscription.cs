using Dukaan.Contract;

namespace Dukaan.Simulator;

public enum SubscriptionStatus { Active, Cancelled, Paused, PastDue }

public enum ProviderMode { Accept, Reject }

public sealed record AuditEntry(DateTimeOffset At, string Action, string Detail);

/// <summary>
/// One buyer's subscription as the platform sees it. Mutable, guarded by its own lock so /run can enforce the limit
/// exactly under concurrency without a global lock.
/// </summary>
public sealed class Subscription
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _nonSensitive;
    private readonly Dictionary<string, string> _sensitive;
    private readonly List<AuditEntry> _audit = [];
    private readonly List<DeliveryResult> _deliveries = [];
    private readonly HashSet<string> _retiredSecrets = [];

    public Subscription(string id, string buyerId, string listingId, Tier tier, IDictionary<string, string> nonSensitive,
        IDictionary<string, string> sensitive, string providerKeyField, Uri? webhookUrl)
    {
        Id = id;
        BuyerId = buyerId;
        ListingId = listingId;
        Tier = tier;
        _nonSensitive = new Dictionary<string, string>(nonSensitive, StringComparer.Ordinal);
        _sensitive = new Dictionary<string, string>(sensitive, StringComparer.Ordinal);
        ProviderKeyField = providerKeyField;
        WebhookUrl = webhookUrl;
    }

    public string Id { get; }
    public string BuyerId { get; }
    public string ListingId { get; }
    public Tier Tier { get; private set; }
    public string ProviderKeyField { get; }
    public Uri? WebhookUrl { get; }
    public SubscriptionStatus Status { get; private set; } = SubscriptionStatus.Active;
    public ProviderMode ProviderMode { get; private set; } = ProviderMode.Accept;
    /// <summary>The tier's limit: one value, so the limit enforced and the tier shown to the agent cannot disagree.</summary>
    public int RunLimit { get { lock (_gate) return Tier.RunLimitPerMonth; } }
    public int RunsUsed { get; private set; }
    public int Heartbeats { get; private set; }
    public DateTimeOffset? FirstRunAt { get; private set; }
    public DateTimeOffset? LastRunAt { get; private set; }
    public bool ActionNeeded { get; private set; }
    public IReadOnlyList<string> RequestedFields { get; private set; } = [];
    public string? RequestedMessage { get; private set; }
    /// <summary>Remaining /config fetches that must fail with 503 (fault injection for DK-CFG-04).</summary>
    public int ConfigFailuresToInject { get; private set; }

    public bool IsActive => Status == SubscriptionStatus.Active;

    /// <summary>The buyer's in-app conversation; the simulator gives it the listing's manifest when it creates the subscription.</summary>
    public Chat.ChatConversation Chat { get; private set; } = new(null);

    public void OpenChat(ChatManifest? manifest) { lock (_gate) Chat = new Chat.ChatConversation(manifest); }

    public IReadOnlyList<string> SensitiveFields { get { lock (_gate) return [.. _sensitive.Keys]; } }
    public IReadOnlyDictionary<string, string> NonSensitiveConfig { get { lock (_gate) return new Dictionary<string, string>(_nonSensitive); } }
    public IReadOnlyDictionary<string, string> SensitiveConfig { get { lock (_gate) return new Dictionary<string, string>(_sensitive); } }
    public IReadOnlyCollection<string> RetiredSecrets { get { lock (_gate) return [.. _retiredSecrets]; } }
    public string? CurrentProviderKey { get { lock (_gate) return _sensitive.GetValueOrDefault(ProviderKeyField); } }
    public IReadOnlyList<AuditEntry> Audit { get { lock (_gate) return [.. _audit]; } }
    public IReadOnlyList<DeliveryResult> Deliveries { get { lock (_gate) return [.. _deliveries]; } }

    /// <summary>The decrypted config /config returns: non-sensitive and sensitive values together.</summary>
    public IReadOnlyDictionary<string, string> FullConfig()
    {
        lock (_gate)
        {
            var all = new Dictionary<string, string>(_nonSensitive, StringComparer.Ordinal);
            foreach (var (k, v) in _sensitive) all[k] = v;
            return all;
        }
    }

    /// <summary>Consumes one run if the limit allows; atomic so 200 concurrent calls with limit 100 allow exactly 100.</summary>
    public RunData TryConsumeRun(DateTimeOffset now)
    {
        lock (_gate)
        {
            var limit = Tier.RunLimitPerMonth;
            if (RunsUsed >= limit) return new RunData(false, 0);
            RunsUsed++;
            FirstRunAt ??= now;
            LastRunAt = now;
            return new RunData(true, limit - RunsUsed);
        }
    }

    /// <summary>
    /// The bug <c>overadmit-run</c> plants: the limit is checked, the handler yields (as an awaited database read would),
    /// then the counter is incremented without checking again, so calls that overlap the yield all get in.
    /// </summary>
    public async Task<RunData> TryConsumeRunRacyAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        int limit;
        lock (_gate)
        {
            limit = Tier.RunLimitPerMonth;
            if (RunsUsed >= limit) return new RunData(false, 0);
        }
        await Task.Delay(TimeSpan.FromMilliseconds(100), clock, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            RunsUsed++;
            var now = clock.GetUtcNow();
            FirstRunAt ??= now;
            LastRunAt = now;
            return new RunData(true, Math.Max(0, limit - RunsUsed));
        }
    }

    public void RecordHeartbeat() { lock (_gate) Heartbeats++; }

    public void AddAudit(AuditEntry entry) { lock (_gate) _audit.Add(entry); }

    public void AddDelivery(DeliveryResult result) { lock (_gate) _deliveries.Add(result); }

    public void SetStatus(SubscriptionStatus status) { lock (_gate) Status = status; }

    public void SetRunLimit(int limit) { lock (_gate) Tier = Tier with { RunLimitPerMonth = limit }; }

    public void ResetRunPeriod() { lock (_gate) RunsUsed = 0; }

    public void SetProviderMode(ProviderMode mode) { lock (_gate) ProviderMode = mode; }

    public void InjectConfigFailures(int count) { lock (_gate) ConfigFailuresToInject = count; }

    /// <summary>True when this fetch should fail by injection; counts the injection down.</summary>
    public bool TakeInjectedConfigFailure()
    {
        lock (_gate)
        {
            if (ConfigFailuresToInject <= 0) return false;
            ConfigFailuresToInject--;
            return true;
        }
    }

    public void FlagActionNeeded(IReadOnlyList<string> fields, string? message)
    {
        lock (_gate) { ActionNeeded = true; RequestedFields = fields; RequestedMessage = message; }
    }

    /// <summary>Replaces a sensitive value as a buyer re-submitting the wizard does; the old value is remembered as retired.</summary>
    public void Rotate(string field, string newValue)
    {
        lock (_gate)
        {
            if (_sensitive.TryGetValue(field, out var old)) _retiredSecrets.Add(old);
            _sensitive[field] = newValue;
            ActionNeeded = false;
            RequestedFields = [];
            RequestedMessage = null;
        }
    }

    public bool HasSensitiveField(string field) { lock (_gate) return _sensitive.ContainsKey(field); }

    /// <summary>
    /// Whether <paramref name="key"/> is this subscription's provider key, current or rotated out. One lock answers both, so
    /// a rotation in between cannot make a key look unknown, and the provider endpoint copies no retired secrets per call.
    /// </summary>
    public bool TryMatchProviderKey(string key, out bool current)
    {
        lock (_gate)
        {
            current = _sensitive.GetValueOrDefault(ProviderKeyField) == key;
            return current || _retiredSecrets.Contains(key);
        }
    }
}
