using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Testing;

/// <summary>What an in-process certification needs to know about the agent, and which rules to run.</summary>
public sealed record InProcessOptions
{
    /// <summary>The agent's webhook route, e.g. <c>/hooks/agentdukaan</c>.</summary>
    public required string WebhookPath { get; init; }

    /// <summary>
    /// The agent's test-mode trigger (POST <c>{ "subscriptionId": "..." }</c> makes it do one billable run now), e.g.
    /// <c>/_test/trigger</c>. Without one, the run, limit, cancellation and request-config rules cannot be exercised,
    /// so the agent cannot be certified.
    /// </summary>
    public string? TriggerPath { get; init; }

    /// <summary>Comma-separated rule IDs or globs (<c>DK-SIG-*,DK-RUN-02</c>); null runs every rule.</summary>
    public string? Rules { get; init; }

    /// <summary>
    /// Comma-separated scenario names to play whatever <see cref="Rules"/> selects, or <c>all</c>; null plays the scenarios
    /// of the selected rules. A failure message names the ones a rule's verdict came from, to rerun it faithfully.
    /// </summary>
    public string? Scenarios { get; init; }

    /// <summary>Makes the generated buyers, keys and canaries reproducible; a failure message names the seed to rerun with.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Windows, deadlines and the listing profile. <see cref="Seed"/> above takes the place of its seed.</summary>
    public RunSettings Settings { get; init; } = new();

    /// <summary>Receives one line per scenario, e.g. <c>new Progress&lt;string&gt;(TestContext.Progress.WriteLine)</c>.</summary>
    public IProgress<string>? Progress { get; init; }

    /// <summary>A problem with the options, or null; checked before anything starts.</summary>
    internal string? Problem()
    {
        if (!IsRoute(WebhookPath)) return $"InProcessOptions.WebhookPath '{WebhookPath}' must be a path starting with '/', e.g. \"/hooks/agentdukaan\".";
        if (TriggerPath is not null && !IsRoute(TriggerPath)) return $"InProcessOptions.TriggerPath '{TriggerPath}' must be a path starting with '/', e.g. \"/_test/trigger\", or null.";
        return Settings.Listing.Problem() is { } listing ? $"InProcessOptions.Settings.Listing: {listing}" : null;
    }

    private static bool IsRoute(string? path) => path is { Length: > 0 } && path[0] == '/' && !path.StartsWith("//", StringComparison.Ordinal);
}
