using Dukaan.Conformance.Engine;
using Catalogs = Dukaan.Conformance.Rules;

namespace Dukaan.Conformance.Scenarios.Chat;

/// <summary>A scenario of the in-app chat (002 §6): its rules do not apply to a listing that declares no chat (decision 15).</summary>
public abstract class ChatScenario : Scenario
{
    public const string NoChat = "The listing declares no chat (no listing.capabilities in the settings file), so the chat rules do not apply (decision 15).";

    public sealed override string? NotApplicableBecause(RunSettings settings) => settings.Listing.Chat is null ? NoChat : null;

    public sealed override Task RunAsync(ScenarioContext context) => RunChatAsync(context);

    protected abstract Task RunChatAsync(ScenarioContext context);

    protected static string Statement(string rule) => Catalogs.AgentDukaanRules.Catalog.Get(rule).Statement;
}
