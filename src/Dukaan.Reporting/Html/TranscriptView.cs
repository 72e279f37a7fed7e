using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>The wire evidence for a rule as a numbered timeline: who sent what, what came back, how long it took.</summary>
internal static class TranscriptView
{
    public static void Render(HtmlBuilder html, RuleResult rule)
    {
        var transcript = rule.Evidence.Transcript;
        html.Add($"<h4>Transcript ({OutcomeText.Plural(transcript.Count, "exchange")})</h4>\n");
        if (transcript.Count == 0)
        {
            html.Add($"<p class=\"tx__meta\" data-testid=\"transcript-{rule.Id}\">No exchanges were recorded for this rule.</p>\n");
            return;
        }
        html.Add($"<ol class=\"transcript\" data-testid=\"transcript-{rule.Id}\">\n");
        var n = 0;
        foreach (var entry in transcript.OrderBy(t => t.Seq))
        {
            n++;
            var lane = Lanes.Normalize(entry.Direction, entry.Kind);
            var arrow = Lanes.Describe(entry.Direction, entry.Kind);
            var status = StatusInfo.Css(entry.Status, entry.Error);
            html.Add($"""
                <li class="tx" data-testid="transcript-entry-{rule.Id}-{n}" data-seq="{entry.Seq}">
                <div class="tx__line"><span class="dir dir--{Lanes.CssToken(lane)}" title="{entry.Direction}">{arrow}</span><span class="method">{entry.Method}</span><span class="path">{entry.Url}</span><span class="status status--{status}">{StatusInfo.Text(entry.Status, entry.Error)}</span><span class="tx__meta">{Formatting.Ms(entry.DurationMs)} · {entry.Kind}{(entry.SubscriptionId is { } sub ? " · " + sub : "")} · at {Formatting.Offset(entry.OffsetMs)} · #{entry.Seq}</span></div>

                """);
            if (!string.IsNullOrWhiteSpace(entry.Note)) html.Add($"<p class=\"tx__note\">{entry.Note}</p>\n");
            if (!string.IsNullOrWhiteSpace(entry.Error)) html.Add($"<p class=\"tx__error\">Error: {entry.Error}</p>\n");
            html.Add($"<div class=\"exchange\">\n");
            Side(html, "Request", entry.RequestHeaders, entry.RequestBody);
            if (entry.Status is null && entry.ResponseHeaders.Count == 0 && entry.ResponseBody.Length == 0)
                html.Add($"<section data-side=\"response\"><h5>Response</h5><pre class=\"body body--empty\">{(entry.Error is { Length: > 0 } ? "no response (see error)" : "no response")}</pre></section>\n");
            else
                Side(html, $"Response {entry.Status}", entry.ResponseHeaders, entry.ResponseBody);
            html.Add($"</div>\n</li>\n");
        }
        html.Add($"</ol>\n");
    }

    private static void Side(HtmlBuilder html, string heading, IReadOnlyDictionary<string, string> headers, string body)
    {
        var side = heading.StartsWith("Request", StringComparison.Ordinal) ? "request" : "response";
        html.Add($"<section data-side=\"{side}\"><h5>{heading.TrimEnd()}</h5>\n");
        if (headers.Count > 0)
        {
            html.Add($"<details class=\"sub\"><summary>Headers ({headers.Count})</summary><table class=\"headers\">");
            foreach (var (name, value) in headers) html.Add($"<tr><th scope=\"row\">{name}</th><td>{value}</td></tr>");
            html.Add($"</table></details>\n");
        }
        if (body.Length == 0)
        {
            html.Add($"<pre class=\"body body--empty\">empty body</pre>\n</section>\n");
            return;
        }
        var formatted = BodyFormatter.Format(body);
        html.Add($"<pre class=\"body\" data-kind=\"{(formatted.IsJson ? "json" : "text")}\">{formatted.Display}</pre>\n");
        if (formatted.WasPrettified)
            html.Add($"<details class=\"sub\"><summary>Raw body as sent</summary><pre class=\"body\" data-kind=\"raw\">{BodyFormatter.Clip(body)}</pre></details>\n");
        if (formatted.Truncated || body.Length > BodyFormatter.MaxDisplayChars)
            html.Add($"<p class=\"clipped\">Showing the first {BodyFormatter.MaxDisplayChars:#,0} of {formatted.OriginalLength:#,0} characters; results.json has the whole body.</p>\n");
        html.Add($"</section>\n");
    }
}
