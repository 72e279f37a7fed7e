using System.Globalization;
using System.Text;
using System.Xml;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// junit.xml in the Ant/Jenkins shape every CI understands: one testcase per rule, classname = area.
/// fail → failure, harness-error → error (the harness broke, not the agent), not-exercised → skipped,
/// warn → a passing testcase whose system-out says why it is a warning.
/// </summary>
public static class JUnitWriter
{
    /// <summary>CI UIs show the message attribute on one line; the full story is in the element text.</summary>
    private const int MaxMessageChars = 1000;

    public static string Render(RunResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var s = results.Summary;
        var suiteName = $"{results.Title} ({results.Profile})";
        return Document(w =>
        {
            w.WriteStartElement("testsuites");
            w.WriteAttributeString("name", suiteName);
            w.WriteAttributeString("tests", Int(results.Rules.Count));
            w.WriteAttributeString("failures", Int(s.Fail));
            w.WriteAttributeString("errors", Int(s.HarnessError));
            w.WriteAttributeString("disabled", "0");
            w.WriteAttributeString("time", Formatting.Seconds(results.DurationMs));
            WriteSuite(w, results, suiteName, id: 0, classname: rule => rule.Area);
            w.WriteEndElement();
        });
    }

    /// <summary>A whole XML document in UTF-8 (the declaration says so), its body written by <paramref name="body"/>.</summary>
    internal static string Document(Action<XmlWriter> body)
    {
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, Encoding = new UTF8Encoding(false) };
        using (var w = XmlWriter.Create(new StringWriterUtf8(sb), settings))
        {
            w.WriteStartDocument();
            body(w);
            w.WriteEndDocument();
        }
        return sb.ToString();
    }

    /// <summary>
    /// One run as a &lt;testsuite&gt;: its properties, a testcase per rule (the area's worst first), its outcome as
    /// system-out. The fleet report writes one per agent with the agent as <paramref name="classname"/>.
    /// </summary>
    internal static void WriteSuite(XmlWriter w, RunResults results, string suiteName, int id, Func<RuleResult, string> classname,
        IReadOnlyList<(string Name, string Value)>? extraProperties = null, Action<XmlWriter>? extraTestCases = null, int extraTests = 0, int extraErrors = 0)
    {
        var s = results.Summary;
        w.WriteStartElement("testsuite");
        w.WriteAttributeString("name", Clean(suiteName));
        w.WriteAttributeString("tests", Int(results.Rules.Count + extraTests));
        w.WriteAttributeString("failures", Int(s.Fail));
        w.WriteAttributeString("errors", Int(s.HarnessError + extraErrors));
        w.WriteAttributeString("skipped", Int(s.NotExercised + s.NotApplicable));
        w.WriteAttributeString("time", Formatting.Seconds(results.DurationMs));
        // No zone suffix: the Ant schema's timestamp pattern has none, and the value is UTC.
        w.WriteAttributeString("timestamp", results.StartedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        w.WriteAttributeString("id", Int(id));
        w.WriteAttributeString("package", "dukaan." + Clean(results.Profile));

        WriteProperties(w, results, extraProperties ?? []);
        extraTestCases?.Invoke(w);
        foreach (var rule in RuleOrdering.Groups(results.Rules).SelectMany(g => g.Rules))
            WriteTestCase(w, rule, classname(rule));

        var suiteOut = new StringBuilder()
            .AppendLine($"Outcome: {OutcomeText.Headline(results.Outcome)} — {OutcomeText.Reason(results)}")
            .AppendLine($"Target: {results.Target.Description}");
        foreach (var note in results.Notes) suiteOut.AppendLine($"Note: {note}");
        w.WriteElementString("system-out", Clean(suiteOut.ToString()));
        w.WriteEndElement();
    }

    private static void WriteProperties(XmlWriter w, RunResults results, IReadOnlyList<(string Name, string Value)> extra)
    {
        w.WriteStartElement("properties");
        foreach (var (name, value) in extra) Property(w, name, value);
        Property(w, "dukaan.outcome", OutcomeText.Token(results.Outcome));
        Property(w, "dukaan.exitCode", Int(results.ExitCode));
        Property(w, "dukaan.profile", results.Profile);
        Property(w, "dukaan.contractVersion", results.ContractVersion);
        Property(w, "dukaan.harnessVersion", results.HarnessVersion);
        Property(w, "dukaan.seed", Int(results.Seed));
        Property(w, "dukaan.strict", results.Strict ? "true" : "false");
        Property(w, "dukaan.ruleSelection", results.RuleSelection ?? "");
        Property(w, "dukaan.target", results.Target.Description);
        Property(w, "dukaan.startedAt", Formatting.IsoDate(results.StartedAt));
        Property(w, "dukaan.warnings", Int(results.Summary.Warn));
        w.WriteEndElement();
    }

    internal static void Property(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("property");
        w.WriteAttributeString("name", name);
        w.WriteAttributeString("value", Clean(value));
        w.WriteEndElement();
    }

    private static void WriteTestCase(XmlWriter w, RuleResult rule, string classname)
    {
        var e = rule.Evidence;
        w.WriteStartElement("testcase");
        w.WriteAttributeString("name", Clean($"{rule.Id} {rule.Title}"));
        w.WriteAttributeString("classname", Clean(classname));
        w.WriteAttributeString("time", Formatting.Seconds(EvidenceSpanMs(e)));
        void Problem(string element, string type)
        {
            w.WriteStartElement(element);
            w.WriteAttributeString("message", Message(EvidenceText.Why(e)));
            w.WriteAttributeString("type", type);
            w.WriteString(Clean(Details(rule)));
            w.WriteEndElement();
        }

        switch (rule.Verdict)
        {
            case Verdict.Fail:
                Problem("failure", LevelInfo.Token(rule.Level));
                break;
            case Verdict.HarnessError:
                Problem("error", "harness-error");
                break;
            case Verdict.NotExercised:
                w.WriteStartElement("skipped");
                w.WriteAttributeString("message", Message(string.IsNullOrWhiteSpace(e.Observed) ? "not exercised" : "not exercised: " + e.Observed));
                w.WriteEndElement();
                break;
            case Verdict.NotApplicable:
                w.WriteStartElement("skipped");
                w.WriteAttributeString("message", Message("not applicable: " + e.Observed));
                w.WriteEndElement();
                break;
            case Verdict.Warn:
                w.WriteElementString("system-out", Clean($"WARNING: {LevelInfo.Token(rule.Level)} rule not met (a warning, not a failure; --strict makes it fail).\n{Details(rule)}"));
                break;
        }
        w.WriteEndElement();
    }

    private static string Details(RuleResult rule)
    {
        var e = rule.Evidence;
        var sb = new StringBuilder()
            .AppendLine($"{rule.Id} [{LevelInfo.Token(rule.Level)}] {rule.Title}")
            .AppendLine($"Statement: {rule.Statement} ({rule.SeedReference})")
            .AppendLine($"Expected: {e.Expected}")
            .AppendLine($"Observed: {e.Observed}");
        if (e.Diagnosis is { Length: > 0 }) sb.AppendLine($"Diagnosis: {e.Diagnosis}");
        if (e.RerunCommand.Length > 0) sb.AppendLine($"Rerun: {e.RerunCommand}");
        if (e.Transcript.Count > 0)
        {
            sb.AppendLine("Transcript:");
            var n = 0;
            foreach (var t in e.Transcript.OrderBy(t => t.Seq))
            {
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"  {++n}. {Lanes.Describe(t.Direction, t.Kind)} {t.Method} {t.Url} → {StatusInfo.Text(t.Status, t.Error)} in {Formatting.Ms(t.DurationMs)}{(t.Error is { Length: > 0 } err ? " error: " + err : "")}{(t.Note is { Length: > 0 } note ? " (" + note + ")" : "")}");
            }
        }
        return sb.ToString();
    }

    /// <summary>How long the evidence for a rule spans on the wire; rules share scenarios, so they have no run time of their own.</summary>
    private static double EvidenceSpanMs(Evidence e)
    {
        if (e.Transcript.Count == 0) return 0;
        var start = e.Transcript.Min(t => t.OffsetMs);
        var end = e.Transcript.Max(t => t.OffsetMs + Math.Max(0, t.DurationMs));
        return Math.Max(0, end - start);
    }

    internal static string Message(string text)
    {
        var clean = Clean(text).Trim();
        return clean.Length <= MaxMessageChars ? clean : clean[..MaxMessageChars] + "…";
    }

    /// <summary>Agent output can hold control characters XML 1.0 forbids; they become U+FFFD instead of breaking the file.</summary>
    internal static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var ok = c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (ok)
            {
                sb?.Append(c);
                continue;
            }
            sb ??= new StringBuilder(text, 0, i, text.Length);
            sb.Append('\uFFFD');
        }
        return sb?.ToString() ?? text;
    }

    internal static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>StringWriter reports UTF-16; the declaration must say UTF-8 because that is how the file is written.</summary>
    private sealed class StringWriterUtf8(StringBuilder sb) : StringWriter(sb, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
