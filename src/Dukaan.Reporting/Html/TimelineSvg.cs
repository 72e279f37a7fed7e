using System.Globalization;
using Dukaan.Conformance;

namespace Dukaan.Reporting;

/// <summary>
/// One scenario as an inline SVG: a lane per direction, a mark per event at its time with its duration as width,
/// coloured by outcome. Labels are drawn only where they fit; every mark has a tooltip with the full story.
/// </summary>
internal static class TimelineSvg
{
    private const double Width = 1000;
    private const double Gutter = 124;
    private const double RightPad = 14;
    private const double AxisHeight = 24;
    private const double LaneHeight = 30;
    private const double LaneGap = 4;
    private const double MinMarkWidth = 3;
    private const double CharWidth = 5.6; // 10px system-ui, averaged; only used to decide whether a label fits.

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Render(HtmlBuilder html, ScenarioTimeline scenario, string titleId)
    {
        var (min, max) = Domain(scenario);
        var span = max - min;
        var plot = Width - Gutter - RightPad;
        double X(double ms) => Gutter + (ms - min) / span * plot;

        // Lay out every lane first: lanes with concurrent marks grow sub-rows, so the picture height depends on them.
        var layouts = new List<LaneLayout>();
        var top = AxisHeight;
        foreach (var lane in LanesOf(scenario))
        {
            var marks = scenario.Events
                .Where(e => LaneOf(e) == lane)
                .OrderBy(e => e.AtMs)
                .Select(e => new Mark(e, X(e.AtMs), Math.Max(MinMarkWidth, Math.Max(0, e.DurationMs) / span * plot)))
                .ToList();
            var rows = PackRows(marks);
            var height = rows == 1 ? LaneHeight : Math.Max(LaneHeight, 8 + rows * StackedRow);
            layouts.Add(new LaneLayout(lane, top, height, rows, marks));
            top += height + LaneGap;
        }
        var svgHeight = top + 4;

        html.Add($"""<svg class="timeline" viewBox="0 0 {N(Width)} {N(svgHeight)}" role="img" aria-labelledby="{titleId}" data-testid="timeline-svg" xmlns="http://www.w3.org/2000/svg">""").Add($"\n");
        html.Add($"<title id=\"{titleId}\">Timeline of {scenario.Name}: {OutcomeText.Plural(scenario.Events.Count, "event")} over {Formatting.Duration(span)}</title>\n");

        foreach (var lane in layouts)
        {
            html.Add($"""<rect class="lane-bg" x="{N(Gutter)}" y="{N(lane.Top)}" width="{N(plot)}" height="{N(lane.Height)}" rx="3"/><text class="lane-label" x="{N(Gutter - 8)}" y="{N(lane.Top + Math.Min(lane.Height, LaneHeight) / 2 + 4)}" text-anchor="end">{lane.Name}</text>""").Add($"\n");
        }

        var step = TickStep(span);
        // Ticks count from the scenario's own start, so every picture reads from "0".
        for (var t = min; t <= max + step * 1e-9; t += step)
        {
            var x = X(t);
            var anchor = x > Width - RightPad - 20 ? "end" : "middle";
            html.Add($"""<line class="grid" x1="{N(x)}" y1="{N(AxisHeight - 4)}" x2="{N(x)}" y2="{N(svgHeight - 4)}"/><text class="tick" x="{N(x)}" y="{N(AxisHeight - 9)}" text-anchor="{anchor}">{TickLabel(t - min, step)}</text>""").Add($"\n");
        }

        foreach (var lane in layouts)
        {
            for (var m = 0; m < lane.Marks.Count; m++)
            {
                var mark = lane.Marks[m];
                var (ev, x, w) = (mark.Event, mark.X, mark.W);
                var css = StatusInfo.Css(ev.Status, ev.Kind, lane.Name);
                var tooltip = $"{ev.Label} — {lane.Name}{(ev.Status is { } s ? " · " + s.ToString(Inv) : "")} · at {Formatting.Offset(ev.AtMs - min)} · {Formatting.Ms(ev.DurationMs)} · {ev.Kind}";
                var stacked = lane.Rows > 1;
                var barY = stacked ? lane.Top + 4 + mark.Row * StackedRow : lane.Top + 6;
                var barH = stacked ? StackedRow - 2 : LaneHeight - 12;
                html.Add($"""<g class="mark" data-status="{css}"><title>{tooltip}</title><rect class="m--{css}" x="{N(x)}" y="{N(barY)}" width="{N(w)}" height="{N(barH)}" rx="{(stacked ? "1" : "2")}"/>""");
                // Stacked rows are too thin for text; their tooltips carry the label.
                if (!stacked) Label(html, lane.Marks, m, lane.Top);
                html.Add($"</g>\n");
            }
        }
        html.Add($"</svg>\n");
    }

    private const double StackedRow = 9;
    private const int MaxRows = 12;

    private sealed record Mark(TimelineEvent Event, double X, double W)
    {
        public int Row { get; set; }
    }

    private sealed record LaneLayout(string Name, double Top, double Height, int Rows, IReadOnlyList<Mark> Marks);

    /// <summary>
    /// Greedy interval partitioning: each mark takes the first row where it does not overlap the previous mark, so a
    /// burst of concurrent requests shows as a stack rather than one bar. Past <see cref="MaxRows"/> rows, marks share.
    /// </summary>
    private static int PackRows(List<Mark> marks)
    {
        var rowEnds = new List<double>();
        foreach (var mark in marks)
        {
            var row = rowEnds.FindIndex(end => end <= mark.X);
            if (row < 0 && rowEnds.Count < MaxRows)
            {
                rowEnds.Add(0);
                row = rowEnds.Count - 1;
            }
            if (row < 0) row = rowEnds.IndexOf(rowEnds.Min());
            mark.Row = row;
            rowEnds[row] = mark.X + mark.W + 1;
        }
        return Math.Max(1, rowEnds.Count);
    }

    /// <summary>
    /// A long mark carries its label inside; otherwise the label goes after it, with room up to the next mark in the
    /// lane (or the edge), shortened rather than allowed to overlap.
    /// </summary>
    private static void Label(HtmlBuilder html, IReadOnlyList<Mark> marks, int m, double laneTop)
    {
        var (ev, x, w) = (marks[m].Event, marks[m].X, marks[m].W);
        var textY = N(laneTop + LaneHeight / 2 + 3.5);
        var inside = w >= 60 ? Fit(ev.Label, w - 10) : null;
        if (inside is not null)
        {
            html.Add($"""<text class="mark-label mark-label--in" x="{N(x + 5)}" y="{textY}">{inside}</text>""");
            return;
        }
        var labelX = x + w + 3;
        var room = (m + 1 < marks.Count ? marks[m + 1].X - 3 : Width - RightPad) - labelX;
        var label = Fit(ev.Label, room);
        if (label is not null)
            html.Add($"""<text class="mark-label" x="{N(labelX)}" y="{textY}">{label}</text>""");
    }

    private static string LaneOf(TimelineEvent e) => Lanes.Normalize(e.Lane, e.Kind) ?? (string.IsNullOrWhiteSpace(e.Lane) ? Lanes.Harness : e.Lane);

    /// <summary>The four contract lanes always, in a fixed order; any other lane the engine invents is added below.</summary>
    private static List<string> LanesOf(ScenarioTimeline scenario)
    {
        var lanes = new List<string>(Lanes.All);
        foreach (var e in scenario.Events)
        {
            var lane = LaneOf(e);
            if (!lanes.Contains(lane)) lanes.Add(lane);
        }
        return lanes;
    }

    private static (double Min, double Max) Domain(ScenarioTimeline scenario)
    {
        var min = scenario.StartMs;
        var max = Math.Max(scenario.EndMs, scenario.StartMs);
        foreach (var e in scenario.Events)
        {
            min = Math.Min(min, e.AtMs);
            max = Math.Max(max, e.AtMs + Math.Max(0, e.DurationMs));
        }
        return max - min < 1 ? (min, min + 1) : (min, max);
    }

    /// <summary>1, 2 or 5 × 10^k so there are about six to ten ticks whatever the scenario length.</summary>
    internal static double TickStep(double span)
    {
        var raw = span / 8;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (var factor in (double[])[1, 2, 5, 10])
            if (factor * magnitude >= raw) return factor * magnitude;
        return 10 * magnitude;
    }

    private static string TickLabel(double ms, double step)
    {
        if (step >= 1000) return (ms / 1000).ToString(step % 1000 == 0 ? "0" : "0.#", Inv) + " s";
        return ms.ToString(step >= 1 ? "0" : "0.##", Inv) + " ms";
    }

    private static string? Fit(string label, double room)
    {
        if (string.IsNullOrEmpty(label) || room < CharWidth * 4) return null;
        var chars = (int)(room / CharWidth);
        if (label.Length <= chars) return label;
        return chars >= 5 ? label[..(chars - 1)] + "…" : null;
    }

    private static string N(double value) => Math.Round(value, 1).ToString("0.#", Inv);
}

/// <summary>The scenario section: one card per scenario with its picture, its buyers' conversations and the rules that used it.</summary>
internal static class TimelineView
{
    public static void RenderAll(HtmlBuilder html, RunResults results, IReadOnlyDictionary<string, string> anchors)
    {
        if (results.Scenarios.Count == 0) return;
        html.Add($"<section class=\"scenarios\" aria-labelledby=\"scenarios\">\n<h2 id=\"scenarios\">Scenarios</h2>\n");
        var index = 0;
        foreach (var scenario in results.Scenarios)
        {
            var anchor = anchors[scenario.Name];
            var rules = results.Rules.Where(r => r.Evidence.Scenarios.Contains(scenario.Name, StringComparer.Ordinal))
                .Select(r => r.Id).Order(NaturalIdComparer.Instance).ToList();
            html.Add($"""
                <article class="scenario" id="{anchor}" data-testid="scenario-{index}">
                <div class="scenario__head"><h3>{scenario.Name}</h3><span class="tx__meta">{OutcomeText.Plural(scenario.Events.Count, "event")} · {Formatting.Duration(scenario.EndMs - scenario.StartMs)}</span></div>

                """);
            if (!string.IsNullOrWhiteSpace(scenario.Description)) html.Add($"<p class=\"scenario__desc\">{scenario.Description}</p>\n");
            if (scenario.Events.Count == 0) html.Add($"<p class=\"tx__meta\">No events were recorded.</p>\n");
            else TimelineSvg.Render(html, scenario, $"timeline-title-{index}");
            html.Add($"""<ul class="legend"><li class="l--ok">2xx</li><li class="l--warn">4xx (incl. 403, 429)</li><li class="l--bad">5xx, timeout or error</li><li class="l--other">other status</li><li class="l--info">harness action</li></ul>""").Add($"\n");
            ConversationView.Render(html, scenario, ScenarioAnchors.ConversationId(anchor), index);
            if (rules.Count > 0)
            {
                html.Add($"<p class=\"scenario-links\">Used by: ");
                for (var i = 0; i < rules.Count; i++)
                {
                    if (i > 0) html.Add($", ");
                    html.Add($"<a href=\"#rule-{rules[i]}\">{rules[i]}</a>");
                }
                html.Add($"</p>\n");
            }
            html.Add($"</article>\n");
            index++;
        }
        html.Add($"</section>\n");
    }
}
