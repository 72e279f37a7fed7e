using System.Diagnostics;
using System.Net.Http.Json;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Engine;

/// <summary>
/// What a scenario can do: make its own subscriptions, deliver (validly or not), provoke work, wait for the agent,
/// and report findings. Each scenario has its own subscriptions, so scenarios can run side by side.
/// </summary>
public sealed class ScenarioContext(RunContext run, string scenario, CancellationToken cancellationToken)
{
    public RunContext Run { get; } = run;
    public string Scenario { get; } = scenario;
    public CancellationToken Cancellation { get; } = cancellationToken;
    public PlatformSimulator Simulator => Run.Simulator;
    public Transcript Transcript => Run.Simulator.Transcript;
    public RunSettings Settings => Run.Settings;
    public bool CanTrigger => Run.Agent.TriggerUrl is not null;

    public Subscription NewSubscription(CreateSubscriptionRequest? request = null)
    {
        var listing = Settings.Listing;
        var baseline = request ?? new CreateSubscriptionRequest();
        var subscription = Simulator.CreateSubscription(baseline with
        {
            WebhookUrl = Run.Agent.WebhookUrl.ToString(),
            Tier = baseline.Tier ?? listing.Tier,
            Config = baseline.Config ?? Simulator.PlainConfig(listing.Fields),
            SensitiveFields = baseline.SensitiveFields ?? [.. listing.SensitiveFields],
            ProviderKeyField = baseline.ProviderKeyField ?? listing.ProviderKeyField,
        });
        Run.AddSubscription(Scenario, subscription.Id);
        return subscription;
    }

    /// <summary>
    /// A valid buyer_configured for the subscription as it stands; returns the attempt and the exact delivery sent.
    /// Deliveries whose answer is another rule's business (after bad signatures, the burst) stay out of the ACK rules.
    /// </summary>
    public async Task<(DeliveryAttempt Attempt, OutgoingDelivery Sent)> DeliverAsync(Subscription subscription, bool countForAck = true)
    {
        var sent = Simulator.SignedDelivery(subscription, Run.Agent.WebhookUrl);
        var attempt = await SendAsync(subscription, sent).ConfigureAwait(false);
        if (countForAck) Run.AddValidDelivery(new ValidDelivery(Scenario, subscription.Id, attempt));
        return (attempt, sent);
    }

    /// <summary>The buyer_configured body for the subscription as it stands, serialized as the platform sends it.</summary>
    public byte[] BuyerConfiguredBody(Subscription subscription) => DeliveryEngine.Serialize(Simulator.BuildBuyerConfigured(subscription));

    /// <summary>Exactly these bytes, signed correctly with the listing's secret, for the agent's webhook.</summary>
    public OutgoingDelivery Signed(Subscription subscription, string eventType, byte[] body) =>
        OutgoingDelivery.Signed(subscription.Id, eventType, Run.Agent.WebhookUrl, body, Simulator.Options.Secret);

    /// <summary>Sends exactly these bytes and headers once, with the 10 s timeout and no retry, so each answer is seen alone.</summary>
    public async Task<DeliveryAttempt> SendAsync(Subscription subscription, OutgoingDelivery delivery)
    {
        var policy = DeliveryPolicy.SingleAttempt with { AttemptTimeout = Settings.AckBudget };
        var result = await Simulator.SendAsync(subscription, delivery, policy, Cancellation).ConfigureAwait(false);
        return result.Attempts[0];
    }

    /// <summary>Asks the agent for one billable run; does nothing when the seller declared no trigger.</summary>
    public async Task TriggerAsync(Subscription subscription)
    {
        if (Run.Agent.TriggerUrl is not { } url) return;
        var startedAt = DateTimeOffset.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        int? status = null;
        string? error = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(Settings.TriggerTimeout);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { subscriptionId = subscription.Id }) };
            // Headers only: the harness judges the wire, not this body, and an agent answering a gigabyte must cost nothing.
            using var response = await Run.Agent.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (!Cancellation.IsCancellationRequested)
        {
            error = $"the trigger did not answer within {Settings.TriggerTimeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException ex)
        {
            error = $"the trigger could not be reached: {ex.Message}";
        }
        Note("trigger", error ?? $"trigger → {status}", status, subscription.Id, startedAt, stopwatch.Elapsed.TotalMilliseconds);
    }

    /// <summary>Records a harness action for the scenario's timeline.</summary>
    public void Note(string kind, string label, int? status = null, string? subscriptionId = null, DateTimeOffset? at = null, double durationMs = 0) =>
        Run.AddEvent(new HarnessEvent(Scenario, at ?? DateTimeOffset.UtcNow, durationMs, kind, label, status, subscriptionId));

    /// <summary>Waits until an exchange matching the predicate is recorded, or the window ends (null).</summary>
    /// <param name="stopWhen">Ends the wait early (null) once nothing good can come any more.</param>
    public async Task<Exchange?> WaitForAsync(Func<Exchange, bool> predicate, TimeSpan? window = null, Func<bool>? stopWhen = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = window ?? Settings.ObservationWindow;
        while (true)
        {
            if (Transcript.Snapshot().FirstOrDefault(predicate) is { } found) return found;
            if (deadline.Elapsed >= limit || stopWhen?.Invoke() == true) return null;
            await Task.Delay(25, Cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Watches for something the agent must not do; the window is short so negative checks stay cheap.</summary>
    public Task QuietAsync(TimeSpan? window = null) => Task.Delay(window ?? Settings.QuietWindow, Cancellation);

    public IReadOnlyList<Exchange> Exchanges(Func<Exchange, bool> predicate) => Transcript.Where(predicate);

    public void Report(string ruleId, FindingOutcome outcome, string expected, string observed, string? diagnosis = null, IEnumerable<long>? seqs = null) =>
        Run.Report(Scenario, ruleId, outcome, expected, observed, diagnosis, seqs);

    public void Pass(string ruleId, string expected, string observed, IEnumerable<long>? seqs = null) =>
        Report(ruleId, FindingOutcome.Satisfied, expected, observed, null, seqs);

    public void Fail(string ruleId, string expected, string observed, string? diagnosis = null, IEnumerable<long>? seqs = null) =>
        Report(ruleId, FindingOutcome.Violated, expected, observed, diagnosis, seqs);

    public void NotExercised(string ruleId, string expected, string why) => Report(ruleId, FindingOutcome.NotExercised, expected, why);
}
