namespace Dukaan.Reporting;

/// <summary>
/// The document head every page of ours shares (report, comparison), so their security policy and metadata cannot
/// drift apart: one place decides what a self-contained page allows.
/// </summary>
internal static class HtmlPage
{
    /// <summary>
    /// Hash-based, not 'unsafe-inline': if an escaping bug ever let agent text inject a script or an onerror handler,
    /// the browser would still refuse to run it. default-src 'none' also forbids every fetch, so a page cannot phone
    /// home or leak what it shows. A page without a script gets no script-src at all.
    /// </summary>
    public static string ContentSecurityPolicy(string css, string? script = null) =>
        $"default-src 'none'; style-src '{ReportAssets.Sha256(css)}'; {(script is null ? "" : $"script-src '{ReportAssets.Sha256(script)}'; ")}img-src 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>Writes everything up to and including the opening page container.</summary>
    public static void Open(HtmlBuilder html, string title, string css, string? script, string? generator = null)
    {
        html.Add($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="{ContentSecurityPolicy(css, script)}">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">

            """);
        if (generator is not null) html.Add($"<meta name=\"generator\" content=\"{generator}\">\n");
        html.Add($"""
            <title>{title}</title>
            <style>{new RawHtml(css)}</style>
            </head>
            <body>
            <div class="page">

            """);
    }
}
