namespace Dukaan.Conformance.Engine;

/// <summary>The knobs of one certification run. Defaults keep the full suite under 20 s for a compliant agent.</summary>
public sealed record RunSettings
{
    /// <summary>How long to wait for something the agent must do (a /config fetch); the wait ends as soon as it happens.</summary>
    public TimeSpan ObservationWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to watch for something the agent must NOT do (act on a bad delivery, work after 403).</summary>
    public TimeSpan QuietWindow { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>The contract's ACK budget; real time, because the agent's latency is real.</summary>
    public TimeSpan AckBudget { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan FastAck { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan TriggerTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Requests that arrive this soon after the agent received a 403/429 may have been sent before it read it.</summary>
    public TimeSpan ReactionGrace { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>The whole run, agent start to reports, never takes longer than this.</summary>
    public TimeSpan RunDeadline { get; init; } = TimeSpan.FromSeconds(150);

    public int BurstSize { get; init; } = 20;

    public int Seed { get; init; } = 1;

    public bool Strict { get; init; }

    /// <summary>The simulator's port; 0 picks a free one. A running agent (--agent-url) must know it in advance.</summary>
    public int SimulatorPort { get; init; }

    /// <summary>The listing's webhook secret; null generates one from the seed. A running agent must know it in advance.</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>Profile agentdukaan-platform: the platform to certify through its control adapter; null certifies the bundled simulator.</summary>
    public Uri? PlatformUrl { get; init; }

    /// <summary>Profile agentdukaan-platform with <see cref="PlatformUrl"/>: how many times faster than real time that platform's delays run (1: real time).</summary>
    public double PlatformTimeScale { get; init; } = 1;

    /// <summary>The seller's listing: which setup fields exist, which are sensitive, which one is the provider key.</summary>
    public ListingProfile Listing { get; init; } = ListingProfile.Default;

    /// <summary>How many of the tested party's exchanges stay in memory for the rules (the newest); older ones are evicted, counted and noted.</summary>
    public int TranscriptCapacity { get; init; } = Dukaan.Simulator.Transcript.DefaultCapacity;

    /// <summary>A JSON Lines file that receives every exchange of the run, unredacted; null keeps the transcript in memory only.</summary>
    public string? TranscriptFile { get; init; }

    /// <summary>The command line that reruns this target; a rule's rerun command appends --rules ID --seed N.</summary>
    public string RerunPrefix { get; init; } = "dukaan-conformance certify";
}

/// <summary>
/// The shape of the seller's setup wizard, so generated buyers look like theirs. Every sensitive field gets a canary;
/// <see cref="ProviderKeyField"/> is the one the simulated provider checks (an OpenAI-style key).
/// </summary>
/// <param name="Chat">The listing's chat manifest (<c>listing.capabilities</c>); null: the listing declares no chat (decision 10).</param>
public sealed record ListingProfile(
    IReadOnlyList<string> Fields,
    IReadOnlyList<string> SensitiveFields,
    string ProviderKeyField,
    Dukaan.Contract.Tier? Tier = null,
    Dukaan.Contract.ChatManifest? Chat = null)
{
    public static readonly ListingProfile Default = new(["business_name", "language"], ["openai_api_key"], "openai_api_key");

    /// <summary>A problem with the profile, or null; the CLI reports it before any agent starts.</summary>
    public string? Problem()
    {
        if (!SensitiveFields.Contains(ProviderKeyField, StringComparer.Ordinal))
            return $"listing.providerKeyField '{ProviderKeyField}' must be one of listing.sensitiveFields ({string.Join(", ", SensitiveFields)}).";
        if (Fields.Intersect(SensitiveFields, StringComparer.Ordinal).FirstOrDefault() is { } both)
            return $"listing field '{both}' is listed both as non-sensitive and as sensitive; list it once.";
        if (Fields.Concat(SensitiveFields).FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
            return "listing field ids must be non-empty.";
        if (Tier is { RunLimitPerMonth: < 3 })
            return "tier.runLimitPerMonth must be at least 3, so the happy path is not cut short by the limit.";
        return Chat is null ? null : ChatProblem(Chat);
    }

    /// <summary>What the platform's manifest validator refuses (002 §6.3, §6.5), worded for the settings file.</summary>
    private static string? ChatProblem(Dukaan.Contract.ChatManifest chat)
    {
        if (chat.Blocks.Contains(Dukaan.Contract.ChatBlockKit.Chart, StringComparer.Ordinal))
            return "capabilities.blocks lists \"chart\", which the ChatBlock kit removed (002 §6.5): drop it.";
        if (chat.Blocks.FirstOrDefault(b => !Dukaan.Contract.ChatBlockKit.RendererBlocks.Contains(b)) is { } unknown)
            return $"capabilities.blocks lists \"{unknown}\", which is not a ChatBlock type; known: {string.Join(", ", Dukaan.Contract.ChatBlockKit.RendererBlocks)}.";
        if (chat.Proactive is { } p)
        {
            if (p.MaxPerDay < 1) return "capabilities.proactive.maxPerDay must be at least 1.";
            if (p.Categories.FirstOrDefault(c => !Dukaan.Contract.ProactiveManifest.AllCategories.Contains(c)) is { } category)
                return $"capabilities.proactive.categories lists \"{category}\"; push categories are {string.Join(", ", Dukaan.Contract.ProactiveManifest.AllCategories)} (decision 11).";
            if (p.Enabled && p.Categories.Count == 0) return "capabilities.proactive.categories must name at least one category when push is enabled.";
        }
        return null;
    }
}
