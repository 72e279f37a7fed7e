using Dukaan.Conformance.Engine;
using Dukaan.Simulator;

namespace Dukaan.Conformance.Scenarios;

/// <summary>
/// Scenarios in one phase run side by side; phases run one after another. Isolation scenarios test cross-buyer
/// effects (a 429 or 403 for one buyer), so they run alone; the restart scenario kills the agent, so it runs last.
/// </summary>
public enum Phase { Concurrent = 1, Burst = 2, Isolation = 3, Restart = 4 }

public abstract class Scenario
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public abstract IReadOnlyList<string> Rules { get; }
    public virtual Phase Phase => Phase.Concurrent;
    public abstract Task RunAsync(ScenarioContext context);

    /// <summary>Why none of this scenario's rules apply to the target (decision 15), or null when they do.</summary>
    public virtual string? NotApplicableBecause(RunSettings settings) => null;

    /// <summary>Delivers and waits for the agent to pull the credentials successfully; null when it never does.</summary>
    protected static async Task<Exchange?> ProvisionAsync(ScenarioContext context, Subscription subscription)
    {
        var delivery = context.DeliverInBackground(subscription);
        return await WaitForGoodFetchAsync(context, subscription, delivery.Mark, delivery.Answer).ConfigureAwait(false);
    }

    /// <summary>Provisions the buyers side by side; false when the agent never obtained some buyer's credentials.</summary>
    protected static async Task<bool> ProvisionAllAsync(ScenarioContext context, params Subscription[] subscriptions)
    {
        var provisioned = await Task.WhenAll(subscriptions.Select(s => ProvisionAsync(context, s))).ConfigureAwait(false);
        return provisioned.All(p => p is not null);
    }

    /// <summary>
    /// Waits for a successful /config fetch after <paramref name="afterSeq"/>. Once a fetch has been refused, a retry
    /// that works comes quickly or not at all, so the wait ends <see cref="GiveUpAfterRefusal"/> later instead of
    /// burning the whole observation window on an agent that signs wrongly.
    /// </summary>
    protected static async Task<Exchange?> WaitForGoodFetchAsync(ScenarioContext context, Subscription subscription, long afterSeq, Task? windowStartsWith = null)
    {
        DateTimeOffset? refusedAt = null;
        var found = await context.WaitForAsync(e =>
        {
            if (!e.From(ExchangeKinds.Config, subscription.Id) || e.Seq <= afterSeq) return false;
            if (e.IsOk()) return true;
            refusedAt ??= DateTimeOffset.UtcNow;
            return false;
        }, stopWhen: () => refusedAt is { } at && DateTimeOffset.UtcNow - at > GiveUpAfterRefusal, windowStartsWith: windowStartsWith).ConfigureAwait(false);
        return found is { } ok && ok.IsOk() ? ok : null;
    }

    /// <summary>
    /// DK-CFG-01 for one buyer_configured: waits for a /config request after it (a refused one counts: how it is signed
    /// is DK-CFG-02's business) and reports the rule. Returns the request, or null when none came.
    /// </summary>
    /// <param name="afterWhat">Names the delivery in the failure text.</param>
    /// <param name="fetched">Opens the pass text.</param>
    protected static async Task<Exchange?> ReportFetchAfterAsync(ScenarioContext context, Subscription subscription, PendingDelivery delivery, string expected,
        string? diagnosis = null, string afterWhat = "the delivery", string fetched = "Fetched")
    {
        var fetch = await context.WaitForAsync(e => e.From(ExchangeKinds.Config, subscription.Id) && e.Seq > delivery.Mark, windowStartsWith: delivery.Answer).ConfigureAwait(false);
        var answered = fetch is null || delivery.Answer.IsCompleted ? await delivery.Answer.ConfigureAwait(false) : null;
        if (fetch is null)
            context.Fail("DK-CFG-01", expected, NoFetchAfter(context, answered!, afterWhat), diagnosis, [answered!.ExchangeSeq]);
        else
            context.Pass("DK-CFG-01", expected, $"{fetched}: {fetch.Describe()}", answered is null ? [fetch.Seq] : [answered.ExchangeSeq, fetch.Seq]);
        return fetch;
    }

    protected static string NoFetchAfter(ScenarioContext context, DeliveryAttempt delivery, string afterWhat) =>
        $"No /config request within {context.Settings.ObservationWindow.TotalSeconds:0} s after {afterWhat} (answered {delivery.Describe()}).";

    private static readonly TimeSpan GiveUpAfterRefusal = TimeSpan.FromSeconds(2);

    /// <summary>The buyer served: a successful provider call with its current key.</summary>
    protected static Func<Exchange, bool> Served(Subscription subscription) =>
        e => e.IsProviderCallWith(subscription.Id, Simulator.ProviderApi.KeyCurrent) && e.IsOk();

    /// <summary>Did the agent serve the buyer after <paramref name="afterSeq"/>? A snapshot: for work already waited for.</summary>
    protected static Exchange? ServedAfter(ScenarioContext context, Subscription subscription, long afterSeq) =>
        context.Exchanges(e => e.Seq > afterSeq && Served(subscription)(e)).FirstOrDefault();

    /// <summary>Asks for work once and waits for the buyer to be served (the agent may queue the work and answer 202).</summary>
    protected static Task<WorkOutcome> ServedWhenAskedAsync(ScenarioContext context, Subscription subscription) =>
        context.AskForWorkAsync(subscription, Served(subscription));

    /// <summary>
    /// Reports a rule that passes when the buyer was served: pass, fail — or, when the trigger refused, a verdict left to
    /// the end of the run (<see cref="ScenarioContext.NotExercisedByTrigger"/>).
    /// </summary>
    protected static void ReportServed(ScenarioContext context, string ruleId, string expected, WorkOutcome outcome, Func<Exchange, string> passObserved,
        string failObserved, string? failDiagnosis, IReadOnlyList<long> seqs)
    {
        if (outcome.Work is { } work)
            context.Pass(ruleId, expected, passObserved(work), [.. seqs, work.Seq]);
        else if (outcome.Trigger is { Refused: true } refused)
            context.NotExercisedByTrigger(ruleId, expected, refused, failObserved, failDiagnosis, seqs);
        else
            context.Fail(ruleId, expected, failObserved, failDiagnosis, seqs);
    }

    /// <summary>
    /// After the platform told the agent to stop for a buyer (a 403, a 429): asks twice more for work, then watches for
    /// <paramref name="watch"/> (the quiet window by default). Calls inside the reaction grace are excused as already in
    /// flight, so the new requests for work come after it.
    /// </summary>
    protected static async Task AskAgainAfterGraceAsync(ScenarioContext context, Subscription subscription, TimeSpan? watch = null)
    {
        await context.QuietAsync(context.Settings.ReactionGrace * 2).ConfigureAwait(false);
        await context.TriggerAsync(subscription).ConfigureAwait(false);
        await context.TriggerAsync(subscription).ConfigureAwait(false);
        await context.QuietAsync(watch).ConfigureAwait(false);
    }

    /// <summary>The scenario could not get far enough to judge any of these rules, for the same reason.</summary>
    protected static void NotExercised(ScenarioContext context, string why, params (string Rule, string Expected)[] rules)
    {
        foreach (var (rule, expected) in rules) context.NotExercised(rule, expected, why);
    }

    protected const string NoTrigger = "No --trigger-url was given, so the harness could not ask the agent for billable work.";
}
