using System.Text;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// summary.md, shaped for a GitHub job summary: the verdict line first, a counts table, then what failed and why.
/// Agent-controlled text is escaped so it renders as text, not as Markdown or HTML.
/// </summary>
public static class MarkdownSummaryWriter
{
    /// <summary>GitHub refuses step summaries over 1 MiB; stay well below so other steps can add theirs.</summary>
    public const int MaxChars = 512 * 1024;

    private const int MaxTextChars = 600;

    public static string Render(RunResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var md = new StringBuilder();
        md.Append(CultureInfo(), $"## {OutcomeText.Emoji(results.Outcome)} {OutcomeText.Headline(results.Outcome)} — {results.Title}\n\n");
        md.Append(Markdown.Text(OutcomeText.Reason(results))).Append("\n\n");

        md.Append("| Verdict | Rules |\n| --- | ---: |\n");
        foreach (var verdict in VerdictInfo.WorstFirst)
            md.Append(CultureInfo(), $"| {VerdictInfo.Emoji(verdict)} {VerdictInfo.Label(verdict)} | {VerdictInfo.Count(results.Summary, verdict)} |\n");
        md.Append(CultureInfo(), $"| **total** | **{results.Rules.Count}** |\n\n");

        md.Append(CultureInfo(), $"Target: {Markdown.Text(results.Target.Description)}  \n");
        md.Append(CultureInfo(), $"Profile {Markdown.Code(results.Profile)} · contract {Markdown.Text(results.ContractVersion)} · harness {Markdown.Text(results.HarnessVersion)} · seed {Markdown.Code(results.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture))}{(results.Strict ? " · strict" : "")} · {Formatting.Duration(results.DurationMs)} · {Formatting.Date(results.StartedAt)}");
        if (results.RuleSelection is { Length: > 0 } selection) md.Append(CultureInfo(), $" · selection {Markdown.Code(selection)}");
        md.Append("\n\n");

        Section(md, "❌ Failing rules", results.Rules.Where(r => r.Verdict == Verdict.Fail));
        Section(md, "💥 Harness errors (not the agent's fault)", results.Rules.Where(r => r.Verdict == Verdict.HarnessError));
        Section(md, "⚠️ Warnings (SHOULD rules not met)", results.Rules.Where(r => r.Verdict == Verdict.Warn));

        var notExercised = RuleOrdering.WorstFirst(results.Rules.Where(r => r.Verdict == Verdict.NotExercised));
        if (notExercised.Count > 0)
        {
            md.Append(CultureInfo(), $"<details><summary>⏭️ Not exercised ({notExercised.Count}) — never counted as a pass</summary>\n\n");
            foreach (var rule in notExercised)
                md.Append(CultureInfo(), $"- **{Markdown.Text(rule.Id)}** {Markdown.Text(rule.Title)} — {Markdown.Text(Shorten(rule.Evidence.Observed))}\n");
            md.Append("\n</details>\n\n");
        }

        var notApplicable = results.Rules.Count(r => r.Verdict == Verdict.NotApplicable);
        if (notApplicable > 0)
            md.Append(CultureInfo(), $"➖ {notApplicable} rule(s) not applicable: {Markdown.Text(Shorten(results.Rules.First(r => r.Verdict == Verdict.NotApplicable).Evidence.Observed))}\n\n");

        if (results.Notes.Count > 0)
        {
            md.Append("### Notes\n\n");
            foreach (var note in results.Notes) md.Append(CultureInfo(), $"- {Markdown.Text(Shorten(note))}\n");
            md.Append('\n');
        }

        md.Append("<sub>Full report: index.html · machine-readable: results.json · CI: junit.xml</sub>\n");
        return Bound(md.ToString());
    }

    private static void Section(StringBuilder md, string heading, IEnumerable<RuleResult> rules)
    {
        var list = RuleOrdering.WorstFirst(rules);
        if (list.Count == 0) return;
        md.Append(CultureInfo(), $"### {heading}\n\n");
        foreach (var rule in list)
        {
            var e = rule.Evidence;
            md.Append(CultureInfo(), $"- **{Markdown.Text(rule.Id)}** ({LevelInfo.Token(rule.Level)}, {Markdown.Text(AreaInfo.DisplayName(rule.Area))}) {Markdown.Text(rule.Title)}  \n");
            if (e.Diagnosis is { Length: > 0 } diagnosis) md.Append(CultureInfo(), $"  Diagnosis: {Markdown.Text(Shorten(diagnosis))}  \n");
            md.Append(CultureInfo(), $"  Expected: {Markdown.Text(Shorten(e.Expected))}  \n");
            md.Append(CultureInfo(), $"  Observed: {Markdown.Text(Shorten(e.Observed))}");
            if (e.RerunCommand.Length > 0) md.Append(CultureInfo(), $"  \n  Rerun: {Markdown.Code(e.RerunCommand)}");
            md.Append('\n');
        }
        md.Append('\n');
    }

    private static string Shorten(string text) => text.Length <= MaxTextChars ? text : text[..MaxTextChars] + "…";

    private static string Bound(string markdown)
    {
        if (markdown.Length <= MaxChars) return markdown;
        const string cut = "\n\n…summary cut to stay within GitHub's step-summary limit; see index.html for everything.\n";
        return markdown[..(MaxChars - cut.Length)] + cut;
    }

    private static System.Globalization.CultureInfo CultureInfo() => System.Globalization.CultureInfo.InvariantCulture;
}

/// <summary>Appends the summary to the file GitHub Actions names in $GITHUB_STEP_SUMMARY, when it names one.</summary>
public static class GitHubStepSummary
{
    public const string EnvironmentVariable = "GITHUB_STEP_SUMMARY";

    /// <summary>Returns the file appended to, or null outside GitHub Actions. <paramref name="getEnvironment"/> is for tests.</summary>
    public static string? AppendIfConfigured(string markdown, Func<string, string?>? getEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        return AppendIfConfigured(() => markdown, getEnvironment);
    }

    /// <summary>As above, producing the Markdown (e.g. reading summary.md) only when there is a job summary to append to.</summary>
    public static string? AppendIfConfigured(Func<string> markdownSource, Func<string, string?>? getEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(markdownSource);
        var path = (getEnvironment ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(path)) return null;
        var markdown = markdownSource();
        // Append, never overwrite: earlier steps of the same job may have written their own summaries.
        File.AppendAllText(path, markdown.EndsWith('\n') ? markdown : markdown + "\n", new UTF8Encoding(false));
        return path;
    }
}
