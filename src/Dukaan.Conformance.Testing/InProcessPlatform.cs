using Dukaan.Conformance.Engine;

namespace Dukaan.Conformance.Testing;

/// <summary>
/// What the agent factory gets: the simulated platform's coordinates, and the handler that carries the agent's
/// outgoing calls to it in memory. Give the agent these instead of its production settings.
/// </summary>
/// <param name="ApiUrl">The platform API base URL (what <c>AGENTDUKAAN_API_URL</c> holds in production).</param>
/// <param name="ProviderBaseUrl">The OpenAI-style provider, ending in /v1 (<c>OPENAI_BASE_URL</c>).</param>
/// <param name="WebhookSecret">The listing's webhook secret (<c>AGENTDUKAAN_WEBHOOK_SECRET</c>).</param>
/// <param name="OutboundHandler">
/// Use as the primary handler of every HttpClient the agent calls the platform or the provider with. Only those two
/// are reachable; any other URL fails with an HttpRequestException that names it. Disposing it is harmless: the run owns it.
/// </param>
public sealed record InProcessPlatform(Uri ApiUrl, Uri ProviderBaseUrl, string WebhookSecret, HttpMessageHandler OutboundHandler)
{
    /// <summary>
    /// The contract's environment variables with these values, for agents that read their settings from configuration:
    /// <c>builder.Configuration.AddInMemoryCollection(platform.Environment)</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment { get; } =
        new PlatformCoordinates(ApiUrl, ProviderBaseUrl, WebhookSecret).AgentEnvironment().ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);

    /// <summary>One variable of <see cref="Environment"/>, or null; shaped like <c>Environment.GetEnvironmentVariable</c>.</summary>
    public string? Variable(string name) => Environment.GetValueOrDefault(name);

    // The generated ToString would print the secret into test output.
    public override string ToString() => $"InProcessPlatform {{ ApiUrl = {ApiUrl}, ProviderBaseUrl = {ProviderBaseUrl}, WebhookSecret = <redacted> }}";
}
