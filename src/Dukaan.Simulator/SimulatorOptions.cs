namespace Dukaan.Simulator;

/// <summary>How a simulator instance is set up. Everything has a default so <c>new SimulatorOptions()</c> is usable.</summary>
public sealed record SimulatorOptions
{
    /// <summary>The listing's webhook secret shared with the agent under test.</summary>
    public string Secret { get; init; } = "whsec_dukaan_sim_dev";

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>Where deliveries go unless a subscription names its own webhook URL.</summary>
    public Uri? AgentWebhookUrl { get; init; }

    /// <summary>Drives every platform-side delay and the timestamp window; tests pass a fake clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public DeliveryPolicy Delivery { get; init; } = DeliveryPolicy.Default;

    /// <summary>Request bodies above this size get 413, so a flooding agent cannot exhaust the harness.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>Makes Bogus-generated buyers and canaries reproducible.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// The base URL the agent is told to reach the platform at (credentialsUrl, provider base URL), when that is not the
    /// loopback address the simulator listens on, e.g. behind a proxy or from a container. Null: the loopback address and port it bound.
    /// </summary>
    public Uri? PublicBaseUrl { get; init; }

    /// <summary>The listing's chat manifest (<c>listing.capabilities</c>); null when the listing declares no chat.</summary>
    public Dukaan.Contract.ChatManifest? Chat { get; init; }

    /// <summary>
    /// Deliberate violations (<see cref="Faults.SimulatorBreaks"/>) for showing the platform profile's rules fail; empty for
    /// a conforming simulator. Unknown names are refused when the app is built.
    /// </summary>
    public IReadOnlySet<string> Breaks { get; init; } = new HashSet<string>();

    /// <summary>How many of the agent's exchanges the transcript keeps in memory (the newest); the harness's own are always kept.</summary>
    public int TranscriptCapacity { get; init; } = Transcript.DefaultCapacity;

    /// <summary>
    /// A JSON Lines file that receives every exchange as it is recorded (created or truncated; closed when the simulator
    /// stops), or null to keep the transcript in memory only.
    /// </summary>
    public string? TranscriptFile { get; init; }

    /// <summary>
    /// The control adapter answers <c>POST /_sim/subscriptions/{id}/deliver</c> at once (202 <c>{"queued": true}</c>) and the
    /// delivery runs in the background, as a platform with a delivery queue does; false: it answers when the delivery is done.
    /// </summary>
    public bool QueueDeliveries { get; init; }

    /// <summary>Whether this simulator was started with the break <paramref name="name"/>.</summary>
    public bool Has(string name) => Breaks.Contains(name);
}

/// <summary>
/// 1 attempt + up to <see cref="MaxRetries"/> retries (docs/rules.md decision 3), each bounded by <see cref="AttemptTimeout"/>,
/// waiting <see cref="BaseDelay"/> × 2^(n−1) before retry n.
/// </summary>
public sealed record DeliveryPolicy(TimeSpan AttemptTimeout, int MaxRetries, TimeSpan BaseDelay)
{
    public static readonly DeliveryPolicy Default = new(TimeSpan.FromSeconds(10), 3, TimeSpan.FromSeconds(1));

    /// <summary>A single attempt, no retries: how the conformance harness sends crafted deliveries it wants to observe one by one.</summary>
    public static readonly DeliveryPolicy SingleAttempt = Default with { MaxRetries = 0 };

    /// <summary>Which failed attempts are retried; the platform retries every one.</summary>
    public RetryOn RetryOn { get; init; } = RetryOn.AnyFailure;

    public TimeSpan DelayBeforeRetry(int retry) => BaseDelay * Math.Pow(2, retry - 1);

    /// <summary>Whether an attempt that was not answered 2xx earns the next one.</summary>
    public bool Retries(DeliveryAttempt failed) => RetryOn switch
    {
        RetryOn.ServerError => failed.Status is >= 500 and < 600,
        RetryOn.AnsweredOnly => failed.Status is not null,
        _ => true,
    };
}

/// <summary>Which failed delivery attempts a <see cref="DeliveryPolicy"/> retries.</summary>
public enum RetryOn
{
    /// <summary>A timeout, a failed connection or any non-2xx answer: what the platform does.</summary>
    AnyFailure,

    /// <summary>
    /// Only a 5xx answer: the agent asking for the retry (002 §1, docs/rules.md decision 30). The conformance harness
    /// retries no more than that, so an agent that times out costs one attempt timeout, not four.
    /// </summary>
    ServerError,

    /// <summary>Any non-2xx answer, but not a timeout or a failed connection: a deliberate break (no-retry-on-timeout), never a default.</summary>
    AnsweredOnly,
}
