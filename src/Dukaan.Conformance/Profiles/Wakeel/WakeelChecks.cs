using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Profiles.Wakeel;

/// <summary>The rules judged over the whole run, once every scenario has ended and the wire has settled.</summary>
public static class WakeelChecks
{
    private const string Scenario = RerunCommands.WholeRun;

    public static IReadOnlyDictionary<string, string> Observations { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["WK-ACK-01"] = "every valid compact deploy of the run (first deliveries and the redelivery) timed to its status line; 10 s, no tolerance",
        ["WK-ACK-02"] = "the same deliveries, against 2 s",
        ["WK-CB-02"] = "every callback the simulated Wakeel received, validated as it arrived; with no callback at all the rule is not-applicable (WK-CB-01 says none came)",
        ["WK-CB-04"] = "activity callbacks anywhere in the run; none, or one without a valid metadata object, is a warn (INFO)",
        ["WK-CB-05"] = "every contract whose bad-signature delivery the agent answered 4xx: no callback names it, no CRM call carries its key; an agent that refused none leaves the rule not-applicable (WK-SIG-02 says so)",
        ["WK-SEC-01"] = "the canaries pushed in config and the callback secret, with their encodings, in captured output, files the agent created or changed in its working directory and every file in its fresh TMPDIR, HOME and XDG directories, and callback message/metadata; the evidence says how much of each was scanned",
    };

    public static void Evaluate(WakeelRun run, ICollection<string> notes)
    {
        Acknowledgements(run);
        CallbackShape(run);
        Activity(run);
        RefusedStayQuiet(run);
        Secrets(run, notes);
    }

    private static void Acknowledgements(WakeelRun run)
    {
        var deploys = run.ValidDeploys.ToList();
        if (deploys.Count == 0) return; // the scenarios that send them were stopped, and said why
        var limit = WakeelDeliveries.Timeout.TotalMilliseconds;
        var fast = run.Settings.FastAck.TotalMilliseconds;
        var late = deploys.Where(d => !(d.Is2xx && d.Ms <= limit)).ToList();
        run.Report("WK-ACK-01", late.Count == 0 ? FindingOutcome.Satisfied : FindingOutcome.Violated,
            late.Count == 0 ? $"All {deploys.Count} valid deploys got 2xx, the slowest in {deploys.Max(d => d.Ms):0} ms." : string.Join("; ", late.Select(d => $"{d.Probe} → {d.Describe()}")),
            Scenario, (late.Count == 0 ? deploys : late).Select(d => d.Seq));
        var slow = deploys.Where(d => !(d.Is2xx && d.Ms <= fast)).ToList();
        run.Report("WK-ACK-02", slow.Count == 0 ? FindingOutcome.Satisfied : FindingOutcome.Violated,
            slow.Count == 0 ? $"All {deploys.Count} valid deploys got 2xx within {fast / 1000:0} s, the slowest in {deploys.Max(d => d.Ms):0} ms." : string.Join("; ", slow.Select(d => $"{d.Probe} → {d.Describe()}")),
            Scenario, (slow.Count == 0 ? deploys : slow).Select(d => d.Seq),
            slow.Count == 0 ? null : "Answer 200 at once and set the contract up after the response, as the seed advises.");
    }

    private static void CallbackShape(WakeelRun run)
    {
        var callbacks = run.Peer.Callbacks;
        var bad = callbacks.Where(c => c.Problem is not null).ToList();
        if (callbacks.Count == 0)
        {
            // Nothing was sent, so nothing exercised the shape of a callback (decision 32); WK-CB-01 already says none came.
            run.Report("WK-CB-02", FindingOutcome.NotApplicable, "The agent sent no callback during the run (see WK-CB-01), so there was none to validate.", Scenario);
            return;
        }
        run.Report("WK-CB-02", bad.Count == 0 ? FindingOutcome.Satisfied : FindingOutcome.Violated,
            bad.Count == 0 ? $"All {callbacks.Count} callbacks were well-formed." : $"{bad.Count} of {callbacks.Count} callbacks were refused: " +
                string.Join("; ", bad.Select(c => c.Problem).Distinct()),
            Scenario, (bad.Count == 0 ? callbacks : bad).Select(c => c.Seq));
    }

    private static void Activity(WakeelRun run)
    {
        var activity = run.Peer.Callbacks.Where(c => c.Status == "activity").ToList();
        var withoutMetadata = activity.Where(c => !c.MetadataOk).ToList();
        var (outcome, observed) = activity.Count == 0 ? (FindingOutcome.Violated, "No activity callback was sent during the run.")
            : withoutMetadata.Count > 0 ? (FindingOutcome.Violated, $"{withoutMetadata.Count} of {activity.Count} activity callbacks lacked a valid metadata object.")
            : (FindingOutcome.Satisfied, $"{activity.Count} activity callbacks, metadata {string.Join(", ", activity.Select(a => a.MetadataJson).Distinct().Take(3))}.");
        run.Report("WK-CB-04", outcome, observed, Scenario, (withoutMetadata.Count > 0 ? withoutMetadata : activity).Select(c => c.Seq));
    }

    private static void RefusedStayQuiet(WakeelRun run)
    {
        if (!run.BadSignaturesSent) return;
        var refused = run.Refused.ToList();
        if (refused.Count == 0)
        {
            // Nothing was refused, so nothing exercised this rule (decision 32): an agent that refused nothing fails WK-SIG-02, not this.
            run.Report("WK-CB-05", FindingOutcome.NotApplicable, "The agent refused none of the bad-signature deliveries (see WK-SIG-02), so no refused contract was left to watch.", Scenario);
            return;
        }
        var acted = refused.Select(r => (r, callbacks: run.CallbacksFor(r.ContractId), crm: run.Peer.CrmCalls.Where(c => c.ContractId == r.ContractId).ToList()))
            .Where(x => x.callbacks.Count > 0 || x.crm.Count > 0).ToList();
        run.Report("WK-CB-05", acted.Count == 0 ? FindingOutcome.Satisfied : FindingOutcome.Violated,
            acted.Count == 0 ? $"No callback and no CRM call for any of the {refused.Count} refused contracts."
                : string.Join("; ", acted.Select(x => $"{x.r.Probe} was answered {x.r.Status}, then {x.crm.Count} CRM call(s) and {x.callbacks.Count} callback(s) for {x.r.ContractId}")),
            Scenario, acted.Count == 0 ? refused.Select(r => r.Seq) : acted.SelectMany(x => x.crm.Select(c => c.Seq).Concat(x.callbacks.Select(c => c.Seq)).Prepend(x.r.Seq)),
            acted.Count == 0 ? null : "The handler answers 403 but carries on: return right after sending the refusal.");
    }

    private static void Secrets(WakeelRun run, ICollection<string> notes)
    {
        var scanner = new SecretScanner(run.Secrets);
        var hits = new List<SecretHit>();
        var scanned = new List<ScanCount>();
        var looked = new List<string>();
        if (run.Agent.CanCaptureOutput)
        {
            var output = run.Agent.CapturedOutput();
            hits.AddRange(scanner.InText(output, "stdout/stderr"));
            scanned.Add(new(output.Length, "characters of stdout/stderr"));
            looked.Add($"{output.Length} characters of stdout/stderr");
        }
        if (run.Agent.CanScanFiles)
        {
            var files = scanner.InFiles(run.Agent.FilesToScan(), notes);
            hits.AddRange(files.Hits);
            scanned.Add(new(files.FilesRead, "files"));
            looked.Add($"{files.FilesRead} file(s) in {string.Join("; ", run.Agent.FileScanPlaces)}");
        }
        var callbacks = run.Peer.Callbacks;
        var inCallbacks = callbacks.SelectMany(c => scanner.InText($"{c.Message}\n{c.MetadataJson}", $"callback #{c.Seq} message/metadata").Select(h => (h, c.Seq))).ToList();
        hits.AddRange(inCallbacks.Select(x => x.h));
        looked.Add($"{callbacks.Count} callback(s)");
        var where = string.Join(", ", looked);
        if (hits.Count > 0)
        {
            run.Report("WK-SEC-01", FindingOutcome.Violated,
                string.Join("; ", hits.GroupBy(h => h.Where).Select(g => $"{g.Count()} secret(s) in {g.Key} ({string.Join(", ", g.Select(h => h.Form).Distinct())})")) + $". Scanned: {where}.",
                Scenario, inCallbacks.Select(x => x.Seq).Distinct(), "Log config field names only, never values; the callback secret goes only in the callback's secret field.", scanned);
        }
        else if (!run.Agent.CanCaptureOutput && !run.Agent.CanScanFiles)
            run.Report("WK-SEC-01", FindingOutcome.NotExercised, "The agent's output and files cannot be seen (give --agent-cmd, or --agent-log); only callbacks were scanned, and they were clean.", Scenario);
        else if (callbacks.Count == 0 && scanned.All(s => s.Count == 0))
            // No output, no file, no callback: nothing the agent wrote could have held a secret, and nothing was scanned (decision 32).
            run.Report("WK-SEC-01", FindingOutcome.NotApplicable, $"The agent wrote nothing the harness could scan: {where}.", Scenario, scanned: scanned);
        else
            run.Report("WK-SEC-01", FindingOutcome.Satisfied, $"{run.Secrets.Count} secrets searched in {where}: none found.", Scenario, callbacks.Take(3).Select(c => c.Seq), scanned: scanned);
    }
}
