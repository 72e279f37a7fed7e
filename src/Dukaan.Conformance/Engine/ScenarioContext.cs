using System.Diagnostics;
using Dukaan.Simulator;
using Dukaan.Conformance.Scenarios.Chat;

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
    /// <summary>The harness can ask for billable work: through the seller's trigger, or with a buyer message to a chat agent (decision 12).</summary>
    public bool CanTrigger => Run.Agent.TriggerUrl is not null || ChatDeclared;

    /// <summary>The listing declares in-app chat (<c>listing.capabilities</c>, decision 10).</summary>
    public bool ChatDeclared => Settings.Listing.Chat is not null;

    public Subscription NewSubscription(CreateSubscriptionRequest? request = null)
    {
        var listing = Settings.Listing;
        var baseline = request ?? new CreateSubscriptionRequest();
        var subscription = Simulator.CreateSubscription(baseline with
        {
            WebhookUrl = Run.Agent.WebhookUrl.ToString(),
            Tier = baseline.Tier ?? listing.Tier,
            SensitiveFields = baseline.SensitiveFields ?? [.. listing.SensitiveFields],
            ProviderKeyField = baseline.ProviderKeyField ?? listing.ProviderKeyField,
        }, Scenario, listing.Fields);
        Run.AddSubscription(Scenario, subscription.Id);
        return subscription;
    }

    /// <summary>
    /// A valid buyer_configured for the subscription as it stands; returns the attempt and the exact delivery sent.
    /// Deliveries whose answer is another rule's business (after bad signatures, the burst) stay out of the ACK rules.
    /// </summary>
    public async Task<(DeliveryAttempt Attempt, OutgoingDelivery Sent)> DeliverAsync(Subscription subscription, bool countForAck = true)
    {
        var pending = DeliverInBackground(subscription, countForAck);
        return (await pending.Answer.ConfigureAwait(false), pending.Sent);
    }

    /// <summary>
    /// A valid buyer_configured whose answer is not awaited: what the agent does meanwhile (fetch /config) is what the
    /// scenario waits for. An agent that works first and ACKs late then costs its 10 s once, in parallel, not once per
    /// step. The answer is still judged (the ACK rules), and the run awaits it before the whole-run checks.
    /// </summary>
    public PendingDelivery DeliverInBackground(Subscription subscription, bool countForAck = true)
    {
        var sent = Simulator.SignedDelivery(subscription, Run.Agent.WebhookUrl);
        var mark = Transcript.LastSeq;
        var answer = SendCountedAsync(subscription, sent, countForAck);
        Run.TrackPending(answer);
        return new PendingDelivery(mark, sent, answer);
    }

    private async Task<DeliveryAttempt> SendCountedAsync(Subscription subscription, OutgoingDelivery sent, bool countForAck)
    {
        var attempt = await SendAsync(subscription, sent).ConfigureAwait(false);
        if (countForAck) Run.AddValidDelivery(new ValidDelivery(Scenario, subscription.Id, attempt));
        return attempt;
    }

    /// <summary>
    /// A valid buyer_configured sent again, the same bytes on the platform's schedule (decision 3), for as long as the agent
    /// answers 5xx: the retry an agent asks for when a platform call it needed failed (002 §1, decision 30). Every attempt
    /// is judged by the ACK rules. Only a 5xx is retried: a timeout or a 4xx is the agent's answer, and retrying a timeout
    /// would spend the 10 s budget three more times on an agent that is merely slow.
    /// </summary>
    public RetriedDelivery DeliverRetryingInBackground(Subscription subscription)
    {
        var sent = Simulator.SignedDelivery(subscription, Run.Agent.WebhookUrl);
        var mark = Transcript.LastSeq;
        var first = new TaskCompletionSource<DeliveryAttempt>(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = Simulator.Options.Delivery with { AttemptTimeout = Settings.AckBudget, RetryOn = RetryOn.ServerError };
        var done = SendRetryingAsync(subscription, sent, policy, first);
        Run.TrackPending(done);
        return new RetriedDelivery(new PendingDelivery(mark, sent, first.Task), done);
    }

    private async Task<DeliveryResult> SendRetryingAsync(Subscription subscription, OutgoingDelivery sent, DeliveryPolicy policy, TaskCompletionSource<DeliveryAttempt> first)
    {
        try
        {
            return await Simulator.SendAsync(subscription, sent, policy, Cancellation, onAttempt: attempt =>
            {
                Run.ObserveDeliveryAnswer(attempt);
                Run.AddValidDelivery(new ValidDelivery(Scenario, subscription.Id, attempt));
                first.TrySetResult(attempt);
            }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whoever waits for the first answer must not wait forever for a delivery that ended without one.
            if (ex is OperationCanceledException cancelled) first.TrySetCanceled(cancelled.CancellationToken);
            else first.TrySetException(ex);
            throw;
        }
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
        Run.ObserveDeliveryAnswer(result.Attempts[0]);
        return result.Attempts[0];
    }

    /// <summary>
    /// Asks the agent for one billable run (or, with <paramref name="action"/> "push", for a chat push); null when there is
    /// no way to ask. Without a trigger a chat agent is asked for work with a buyer message (decision 12). The answer is not
    /// the verdict (decision 32): an agent may answer at once (202) and work later, so callers wait for the work; or work
    /// first and answer with the outcome (409, 422), so after any other answer the wire is looked at before the trigger
    /// counts as refused.
    /// </summary>
    public async Task<TriggerAnswer?> TriggerAsync(Subscription subscription, string? action = null)
    {
        if (Run.Agent.TriggerUrl is not { } url)
            return action is null && ChatDeclared ? await RelayForWorkAsync(subscription).ConfigureAwait(false) : null;
        var mark = Transcript.LastSeq;
        var startedAt = DateTimeOffset.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        int? status = null;
        var bodyStart = "";
        string? error = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(Settings.TriggerTimeout);
        try
        {
            object body = action is null ? new { subscriptionId = subscription.Id } : new { subscriptionId = subscription.Id, action };
            using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = FixedLengthJson.Create(body) };
            using var response = await Run.Agent.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (status is < 200 or >= 300) bodyStart = await BodyStartAsync(response, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!Cancellation.IsCancellationRequested)
        {
            error = status is null ? $"no answer within {Settings.TriggerTimeout.TotalSeconds:0} s" : null;
        }
        catch (HttpRequestException ex)
        {
            error = $"could not be reached ({ex.Message})";
        }
        var answer = await WithWorkSinceAsync(new TriggerAnswer(subscription.Id, status, bodyStart, error, mark)).ConfigureAwait(false);
        var what = action is null ? "trigger" : $"trigger ({action})";
        var label = error is null ? $"{what} → {status}" : $"{what}: {error}";
        if (!answer.Answered2xx) label += answer.FirstWork is { } work ? $", after work (#{work.Seq})" : ", nothing followed";
        Note("trigger", label, status, subscription.Id, startedAt, stopwatch.Elapsed.TotalMilliseconds);
        return answer;
    }

    /// <summary>A buyer message as the request for work; the relay's answer stands in for the trigger's.</summary>
    private async Task<TriggerAnswer> RelayForWorkAsync(Subscription subscription)
    {
        var sent = this.Relay(subscription, "Please run this week's report.");
        var attempt = await sent.Answer.ConfigureAwait(false);
        return await WithWorkSinceAsync(new TriggerAnswer(subscription.Id, attempt.Status, "", attempt.Status is null ? $"the buyer message got no answer ({attempt.Error})" : null, sent.Mark))
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Records the answer in the run's trigger log; for one that was not 2xx, first looks at what the agent did for the buyer
    /// since the request.
    /// A synchronous trigger's work is on the wire before it answers, so only the simulator's recording of its last call
    /// may lag: the reaction grace covers that, and a trigger that refuses everything costs no more per request.
    /// </summary>
    private async Task<TriggerAnswer> WithWorkSinceAsync(TriggerAnswer answer)
    {
        if (!answer.Answered2xx)
            answer = answer with { FirstWork = await WaitForAsync(e => e.Seq > answer.Mark && e.IsWorkFor(answer.SubscriptionId), Settings.ReactionGrace).ConfigureAwait(false) };
        Run.Triggers.Add(answer);
        return answer;
    }

    /// <summary>
    /// The start of a refusal's body, to quote it back to the seller. Read at most 200 bytes, so an agent that answers a
    /// gigabyte costs nothing.
    /// </summary>
    private static async Task<string> BodyStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        const int Limit = 200;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[Limit];
            var total = 0;
            int read;
            while (total < Limit && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0) total += read;
            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, total).ReplaceLineEndings(" ").Trim();
            return total == Limit ? text + "…" : text;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return "";
        }
    }

    /// <summary>
    /// Asks for one run and waits for the work it provokes — bounded by the observation window, ending as soon as
    /// <paramref name="done"/> is seen after the request, whatever the trigger answered. Only a refused trigger (no 2xx and
    /// no work on the wire after it, see <see cref="TriggerAnswer.Refused"/>) ends the wait at once.
    /// </summary>
    public async Task<WorkOutcome> AskForWorkAsync(Subscription subscription, Func<Exchange, bool> done)
    {
        var answer = await TriggerAsync(subscription).ConfigureAwait(false);
        if (answer is null or { Refused: true }) return new WorkOutcome(answer, null);
        var work = await WaitForAsync(e => e.Seq > answer.Mark && done(e)).ConfigureAwait(false);
        return new WorkOutcome(answer, work);
    }

    /// <summary>
    /// A rule that needed work the refused trigger never let the harness ask for. Judged at the end of the run, when every
    /// trigger answer is in: see <see cref="Finding.IfOtherTriggersWorked"/>.
    /// </summary>
    public void NotExercisedByTrigger(string ruleId, string expected, TriggerAnswer refused, string failObserved, string? failDiagnosis = null, IEnumerable<long>? seqs = null)
    {
        if (!Run.SelectedRules.Contains(ruleId)) return;
        var observed = $"When asked for work for {refused.SubscriptionId}, the trigger answered {refused.Describe()} and no work for that buyer followed on the wire.";
        Run.Findings.Add(new Finding(ruleId, FindingOutcome.NotExercised, expected, observed, null, [], Scenario)
        {
            IfOtherTriggersWorked = new Finding(ruleId, FindingOutcome.Violated, expected, $"{failObserved} {observed}", failDiagnosis, [.. seqs ?? []], Scenario),
        });
    }

    /// <summary>Records a harness action for the scenario's timeline.</summary>
    public void Note(string kind, string label, int? status = null, string? subscriptionId = null, DateTimeOffset? at = null, double durationMs = 0) =>
        Run.AddEvent(new HarnessEvent(Scenario, at ?? DateTimeOffset.UtcNow, durationMs, kind, label, status, subscriptionId));

    /// <summary>Waits until an exchange matching the predicate is recorded, or the window ends (null).</summary>
    /// <param name="stopWhen">Ends the wait early (null) once nothing good can come any more.</param>
    /// <param name="windowStartsWith">
    /// The window counts from when this completes (a delivery's answer): an agent may do the work after it ACKs, and a
    /// slow ACK must not eat into the time it has to act. What comes earlier ends the wait at once all the same.
    /// </param>
    public async Task<Exchange?> WaitForAsync(Func<Exchange, bool> predicate, TimeSpan? window = null, Func<bool>? stopWhen = null, Task? windowStartsWith = null)
    {
        Stopwatch? deadline = windowStartsWith is null ? Stopwatch.StartNew() : null;
        var limit = window ?? Run.ObservationWindowNow;
        while (true)
        {
            if (Transcript.Snapshot().FirstOrDefault(predicate) is { } found) return found;
            if (stopWhen?.Invoke() == true) return null;
            if (deadline is null && windowStartsWith!.IsCompleted) deadline = Stopwatch.StartNew();
            if (deadline is not null && deadline.Elapsed >= limit)
            {
                if (window is null) Run.ObservationWindowExpired();
                return null;
            }
            await Task.Delay(25, Cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, at most one observation window; false when it never did.</summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition)
    {
        var limit = Stopwatch.StartNew();
        while (!condition())
        {
            if (limit.Elapsed >= Run.ObservationWindowNow) return false;
            await Task.Delay(25, Cancellation).ConfigureAwait(false);
        }
        return true;
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

    public void NotApplicable(string ruleId, string expected, string why) => Report(ruleId, FindingOutcome.NotApplicable, expected, why);
}
