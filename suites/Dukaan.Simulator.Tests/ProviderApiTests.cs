using System.Net;
using System.Net.Http.Headers;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

public sealed class ProviderApiTests
{
    private static Task<HttpResponseMessage> ChatAsync(InProcessSimulator sim, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = InProcessSimulator.Json("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""),
        };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return sim.Client.SendAsync(request);
    }

    private static string? LastKeyTag(InProcessSimulator sim) =>
        sim.Simulator.Transcript.Snapshot().Last(e => e.Kind == ExchangeKinds.Provider).Tag(TagKeys.ProviderKey);

    private static async Task AssertRejectedAsync(HttpResponseMessage response)
    {
        var root = await Wire.JsonAsync(response, HttpStatusCode.Unauthorized);
        var error = root.GetProperty("error");
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(ErrorCodes.InvalidProviderKey));
        Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
        Assert.That(error.GetProperty("message").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task The_current_key_gets_a_chat_completion()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var root = await Wire.JsonAsync(await ChatAsync(sim, $"Bearer {sub.CurrentProviderKey}"));

        Assert.That(root.GetProperty("object").GetString(), Is.EqualTo("chat.completion"));
        Assert.That(root.GetProperty("choices")[0].GetProperty("message").GetProperty("role").GetString(), Is.EqualTo("assistant"));
        var exchange = sim.Simulator.Transcript.Snapshot().Last(e => e.Kind == ExchangeKinds.Provider);
        Assert.That(exchange.SubscriptionId, Is.EqualTo(sub.Id));
        Assert.That(exchange.Tag(TagKeys.ProviderKey), Is.EqualTo(ProviderApi.KeyCurrent));
    }

    [Test]
    public async Task The_key_is_attributed_to_its_own_subscription()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        sim.Create();
        var second = sim.Create();

        await Wire.JsonAsync(await ChatAsync(sim, $"Bearer {second.CurrentProviderKey}"));

        Assert.That(sim.Simulator.Transcript.Snapshot().Last(e => e.Kind == ExchangeKinds.Provider).SubscriptionId, Is.EqualTo(second.Id));
    }

    [Test]
    public async Task A_rotated_key_is_401_and_tagged_retired_while_the_new_key_works()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var old = sub.CurrentProviderKey!;
        sim.Simulator.Rotate(sub, null, null);

        await AssertRejectedAsync(await ChatAsync(sim, $"Bearer {old}"));
        Assert.That(LastKeyTag(sim), Is.EqualTo(ProviderApi.KeyRetired));

        Assert.That((await ChatAsync(sim, $"Bearer {sub.CurrentProviderKey}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(LastKeyTag(sim), Is.EqualTo(ProviderApi.KeyCurrent));
        Assert.That(sub.CurrentProviderKey, Is.Not.EqualTo(old));
    }

    [Test]
    public async Task An_unknown_key_is_401_and_tagged_unknown()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        sim.Create();

        await AssertRejectedAsync(await ChatAsync(sim, "Bearer sk-not-a-buyers-key"));
        Assert.That(LastKeyTag(sim), Is.EqualTo(ProviderApi.KeyUnknown));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("Basic dXNlcjpwYXNz")]
    public async Task A_missing_bearer_key_is_401_and_tagged_missing(string? authorization)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        sim.Create();

        await AssertRejectedAsync(await ChatAsync(sim, authorization));
        Assert.That(LastKeyTag(sim), Is.EqualTo(ProviderApi.KeyMissing));
    }

    [Test]
    public async Task Reject_mode_set_through_the_control_api_refuses_the_current_key_until_accept()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var auth = $"Bearer {sub.CurrentProviderKey}";

        var view = await Wire.JsonAsync(await sim.Client.PostAsync($"/_sim/subscriptions/{sub.Id}/provider", InProcessSimulator.Json("""{"mode":"reject"}""")));
        Assert.That(view.GetProperty("providerMode").GetString(), Is.EqualTo("reject"));
        await AssertRejectedAsync(await ChatAsync(sim, auth));
        Assert.That(LastKeyTag(sim), Is.EqualTo(ProviderApi.KeyCurrent), "the key is still the current one; the provider just refuses it");

        await Wire.JsonAsync(await sim.Client.PostAsync($"/_sim/subscriptions/{sub.Id}/provider", InProcessSimulator.Json("""{"mode":"accept"}""")));
        Assert.That((await ChatAsync(sim, auth)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Reject_mode_for_one_buyer_does_not_affect_another()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var rejected = sim.Create();
        var other = sim.Create();
        rejected.SetProviderMode(ProviderMode.Reject);

        await AssertRejectedAsync(await ChatAsync(sim, $"Bearer {rejected.CurrentProviderKey}"));
        Assert.That((await ChatAsync(sim, $"Bearer {other.CurrentProviderKey}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
