using System.Xml;

namespace Dukaan.Reporting.Fleet;

/// <summary>
/// The fleet's junit.xml: one &lt;testsuite&gt; per agent (named after it, its profile a property), one testcase per
/// rule with the agent as classname, verdicts mapped as the single-run <see cref="JUnitWriter"/> maps them. An agent
/// without a verdict gets a "certification" testcase with an &lt;error&gt;, so a CI view shows it red rather than
/// silently short; a roster agent that was not run is a skipped "certification".
/// </summary>
public static class FleetJUnitWriter
{
    public const string CertificationCase = "certification";

    public static string Render(FleetRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        int tests = 0, failures = 0, errors = 0;
        foreach (var agent in run.Agents)
        {
            var s = agent.Results?.Summary;
            var extraError = NeedsErrorCase(agent) ? 1 : 0;
            tests += (agent.Results?.Rules.Count ?? 0) + extraError;
            failures += s?.Fail ?? 0;
            errors += (s?.HarnessError ?? 0) + extraError;
        }
        tests += run.NotRun.Count;

        return JUnitWriter.Document(w =>
        {
            w.WriteStartElement("testsuites");
            w.WriteAttributeString("name", JUnitWriter.Clean($"Fleet {run.Manifest.FleetName}"));
            w.WriteAttributeString("tests", JUnitWriter.Int(tests));
            w.WriteAttributeString("failures", JUnitWriter.Int(failures));
            w.WriteAttributeString("errors", JUnitWriter.Int(errors));
            w.WriteAttributeString("disabled", "0");
            w.WriteAttributeString("time", Formatting.Seconds(run.Manifest.DurationMs));
            var id = 0;
            foreach (var name in run.Manifest.Roster)
            {
                if (run.Agent(name) is { } agent) Agent(w, run, agent, id++);
                else NotRun(w, run, run.NotRun.First(n => n.Name == name), id++);
            }
            w.WriteEndElement();
        });
    }

    /// <summary>Status Error means no verdict on the agent; its rules alone (possibly all passing so far) would not say so.</summary>
    private static bool NeedsErrorCase(FleetAgent agent) => agent.Status == FleetAgentStatus.Error;

    private static IReadOnlyList<(string, string)> Properties(FleetRun run, FleetAgent agent) =>
    [
        ("dukaan.fleet", run.Manifest.FleetName),
        ("dukaan.fleet.agent", agent.Name),
        ("dukaan.fleet.status", FleetText.StatusLabel(agent.Status)),
        ("dukaan.fleet.rerun", FleetText.Rerun(run, agent.Name)),
    ];

    private static void Agent(XmlWriter w, FleetRun run, FleetAgent agent, int id)
    {
        Action<XmlWriter>? errorCase = NeedsErrorCase(agent) ? x => ErrorCase(x, agent) : null;
        if (agent.Results is { } results)
        {
            JUnitWriter.WriteSuite(w, results, agent.Name, id, _ => agent.Name, Properties(run, agent), errorCase,
                extraTests: errorCase is null ? 0 : 1, extraErrors: errorCase is null ? 0 : 1);
            return;
        }
        StartOneCaseSuite(w, run, agent.Name, id, "dukaan." + JUnitWriter.Clean(agent.Profile), errors: 1, skipped: 0);
        w.WriteStartElement("properties");
        foreach (var (name, value) in Properties(run, agent)) JUnitWriter.Property(w, name, value);
        JUnitWriter.Property(w, "dukaan.profile", agent.Profile);
        JUnitWriter.Property(w, "dukaan.exitCode", JUnitWriter.Int(agent.ExitCode));
        w.WriteEndElement();
        ErrorCase(w, agent);
        w.WriteElementString("system-out", JUnitWriter.Clean($"No verdict: {agent.Problem}"));
        w.WriteEndElement();
    }

    /// <summary>The opening of a suite that holds one synthetic case: an agent without results, or one that never ran.</summary>
    private static void StartOneCaseSuite(XmlWriter w, FleetRun run, string name, int id, string package, int errors, int skipped)
    {
        w.WriteStartElement("testsuite");
        w.WriteAttributeString("name", JUnitWriter.Clean(name));
        w.WriteAttributeString("tests", "1");
        w.WriteAttributeString("failures", "0");
        w.WriteAttributeString("errors", JUnitWriter.Int(errors));
        w.WriteAttributeString("skipped", JUnitWriter.Int(skipped));
        w.WriteAttributeString("time", "0.000");
        w.WriteAttributeString("timestamp", run.Manifest.StartedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteAttributeString("id", JUnitWriter.Int(id));
        w.WriteAttributeString("package", package);
    }

    private static void ErrorCase(XmlWriter w, FleetAgent agent)
    {
        w.WriteStartElement("testcase");
        w.WriteAttributeString("name", CertificationCase);
        w.WriteAttributeString("classname", JUnitWriter.Clean(agent.Name));
        w.WriteAttributeString("time", "0.000");
        w.WriteStartElement("error");
        w.WriteAttributeString("message", JUnitWriter.Message(agent.Problem ?? $"exit {agent.ExitCode}"));
        w.WriteAttributeString("type", agent.Results is null ? "no-results" : "exit-" + JUnitWriter.Int(agent.ExitCode));
        w.WriteString(JUnitWriter.Clean($"certify exited {agent.ExitCode} for {agent.Name} ({agent.Profile}): {agent.Problem}"));
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void NotRun(XmlWriter w, FleetRun run, FleetNotRun notRun, int id)
    {
        StartOneCaseSuite(w, run, notRun.Name, id, "dukaan.fleet", errors: 0, skipped: 1);
        w.WriteStartElement("properties");
        JUnitWriter.Property(w, "dukaan.fleet", run.Manifest.FleetName);
        JUnitWriter.Property(w, "dukaan.fleet.agent", notRun.Name);
        JUnitWriter.Property(w, "dukaan.fleet.status", "not run");
        JUnitWriter.Property(w, "dukaan.fleet.shard", notRun.Shard.Label);
        w.WriteEndElement();
        w.WriteStartElement("testcase");
        w.WriteAttributeString("name", CertificationCase);
        w.WriteAttributeString("classname", JUnitWriter.Clean(notRun.Name));
        w.WriteAttributeString("time", "0.000");
        w.WriteStartElement("skipped");
        w.WriteAttributeString("message", JUnitWriter.Message(notRun.Reason));
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    }
}
