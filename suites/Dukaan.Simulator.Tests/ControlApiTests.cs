using System.Net;
using System.Text.Json;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

public sealed class ControlApiTests
{
    private static Task<HttpResponseMessage> PostAsync(InProcessSimulator sim, string path, string? json) =>
        sim.Client.PostAsync(path, json is null ? null : InProcessSimulator.Json(json));

    private static Dictionary<string, string?> Map(JsonElement obj) => obj.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

    [Test]
    public async Task Root_describes_the_simulator()
    {
        await using var sim = await InProcessSimulator.StartAsync();

        var root = await Wire.JsonAsync(await sim.Client.GetAsync("/_sim/"));

        Assert.That(root.GetProperty("providerBaseUrl").GetString(), Does.EndWith("/v1"));
        Assert.That(root.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()), Has.Some.Contains("/_sim/transcript"));
    }

    [TestCase(null)]
    [TestCase("{}")]
    public async Task Create_without_values_fills_in_a_buyer_and_canary_secrets(string? body)
    {
        await using var sim = await InProcessSimulator.StartAsync();

        var view = await Wire.JsonAsync(await PostAsync(sim, "/_sim/subscriptions", body), HttpStatusCode.Created);

        Assert.That(view.GetProperty("id").GetString(), Does.Match("^sub_[0-9a-f]{12}$"));
        Assert.That(view.GetProperty("buyerId").GetString(), Does.StartWith("buyer_"));
        Assert.That(view.GetProperty("listingId").GetString(), Does.StartWith("listing_"));
        Assert.That(view.GetProperty("status").GetString(), Is.EqualTo("active"));
        Assert.That(view.GetProperty("providerMode").GetString(), Is.EqualTo("accept"));
        Assert.That(view.GetProperty("tier").GetProperty("runLimitPerMonth").GetInt32(), Is.GreaterThan(0));
        var config = Map(view.GetProperty("config"));
        Assert.That(config.Keys, Is.EquivalentTo(new[] { "business_name", "language" }));
        Assert.That(config["business_name"], Is.Not.Empty);
        var sensitive = Map(view.GetProperty("sensitive"));
        Assert.That(sensitive.Keys, Is.EquivalentTo(new[] { SubscriptionFactory.DefaultProviderKeyField }));
        Assert.That(sensitive[SubscriptionFactory.DefaultProviderKeyField], Does.Match("^sk-dkcanary[A-Za-z0-9]{20}$"));
        Assert.That(sim.Simulator.Store.Find(view.GetProperty("id").GetString()!), Is.Not.Null);
    }

    [Test]
    public async Task Canaries_are_unique_per_subscription_and_reproducible_from_the_seed()
    {
        async Task<string[]> KeysAsync(int seed)
        {
            await using var sim = await InProcessSimulator.StartAsync(o => o with { Seed = seed });
            var keys = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var view = await Wire.JsonAsync(await PostAsync(sim, "/_sim/subscriptions", null), HttpStatusCode.Created);
                keys.Add(view.GetProperty("sensitive").GetProperty(SubscriptionFactory.DefaultProviderKeyField).GetString()!);
            }
            return [.. keys];
        }

        var first = await KeysAsync(11);
        Assert.That(first, Is.Unique);
        Assert.That(await KeysAsync(11), Is.EqualTo(first));
        Assert.That(await KeysAsync(12), Is.Not.EqualTo(first));
    }

    [Test]
    public async Task Create_with_given_values_keeps_them_and_fills_only_the_gaps()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        const string body = """
            {
              "id": "sub_given",
              "tier": { "name": "Growth", "priceINR": 1999, "runLimitPerMonth": 7 },
              "config": { "business_name": "Sharma Kirana", "language": "hindi" },
              "sensitive": { "openai_api_key": "sk-given-key" },
              "sensitiveFields": ["openai_api_key", "whatsapp_token"],
              "webhookUrl": "http://127.0.0.1:3999/hooks/agentdukaan"
            }
            """;

        var view = await Wire.JsonAsync(await PostAsync(sim, "/_sim/subscriptions", body), HttpStatusCode.Created);

        Assert.That(view.GetProperty("id").GetString(), Is.EqualTo("sub_given"));
        Assert.That(view.GetProperty("tier").GetProperty("name").GetString(), Is.EqualTo("Growth"));
        Assert.That(view.GetProperty("tier").GetProperty("priceINR").GetInt32(), Is.EqualTo(1999));
        Assert.That(view.GetProperty("runLimit").GetInt32(), Is.EqualTo(7));
        Assert.That(Map(view.GetProperty("config")), Is.EquivalentTo(new Dictionary<string, string?> { ["business_name"] = "Sharma Kirana", ["language"] = "hindi" }));
        var sensitive = Map(view.GetProperty("sensitive"));
        Assert.That(sensitive["openai_api_key"], Is.EqualTo("sk-given-key"));
        Assert.That(sensitive["whatsapp_token"], Does.StartWith("dkcanary"), "a listed sensitive field without a value gets a canary");
        Assert.That(view.GetProperty("webhookUrl").GetString(), Is.EqualTo("http://127.0.0.1:3999/hooks/agentdukaan"));
        Assert.That(sim.Simulator.Store.Find("sub_given")!.WebhookUrl, Is.EqualTo(new Uri("http://127.0.0.1:3999/hooks/agentdukaan")));
    }

    [Test]
    public async Task Create_with_an_existing_id_is_409()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        await Wire.JsonAsync(await PostAsync(sim, "/_sim/subscriptions", """{"id":"sub_twice"}"""), HttpStatusCode.Created);

        await Wire.ErrorAsync(await PostAsync(sim, "/_sim/subscriptions", """{"id":"sub_twice"}"""), HttpStatusCode.Conflict, "SUBSCRIPTION_EXISTS");
        Assert.That(sim.Simulator.Store.All, Has.Count.EqualTo(1));
    }

    [TestCase("""{"webhookUrl":"not a url"}""")]
    [TestCase("""{"webhookUrl":"/hooks/agentdukaan"}""")]
    [TestCase("""{"webhookUrl":"ftp://127.0.0.1/hooks"}""")]
    [TestCase("""{"tier":{"name":"x","priceINR":1,"runLimitPerMonth":-1}}""")]
    [TestCase("""{"sensitiveFields":[null]}""")]
    [TestCase("""{"sensitiveFields":[""]}""")]
    public async Task Create_with_invalid_values_is_400_VALIDATION_FAILED(string body)
    {
        await using var sim = await InProcessSimulator.StartAsync();

        await Wire.ErrorAsync(await PostAsync(sim, "/_sim/subscriptions", body), HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        Assert.That(sim.Simulator.Store.All, Is.Empty);
    }

    [Test]
    public async Task List_returns_every_subscription_in_id_order()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        sim.Create("sub_b");
        sim.Create("sub_a");

        var list = await Wire.JsonAsync(await sim.Client.GetAsync("/_sim/subscriptions"));

        Assert.That(list.EnumerateArray().Select(s => s.GetProperty("id").GetString()), Is.EqualTo(new[] { "sub_a", "sub_b" }));
    }

    [Test]
    public async Task Get_returns_one_subscription_with_its_audit_and_unknown_is_404()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        var view = await Wire.JsonAsync(await sim.Client.GetAsync($"/_sim/subscriptions/{sub.Id}"));
        Assert.That(view.GetProperty("id").GetString(), Is.EqualTo(sub.Id));
        Assert.That(view.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("action").GetString()), Does.Contain("subscription.created"));

        await Wire.ErrorAsync(await sim.Client.GetAsync("/_sim/subscriptions/sub_ghost"), HttpStatusCode.NotFound, ErrorCodes.SubscriptionNotFound);
    }

    [TestCase("active", "active", SubscriptionStatus.Active)]
    [TestCase("cancelled", "cancelled", SubscriptionStatus.Cancelled)]
    [TestCase("canceled", "cancelled", SubscriptionStatus.Cancelled)]
    [TestCase("paused", "paused", SubscriptionStatus.Paused)]
    [TestCase("past_due", "past_due", SubscriptionStatus.PastDue)]
    public async Task Status_can_be_set_to_each_value(string sent, string shown, SubscriptionStatus expected)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        // Start from a different status so setting "active" is observable.
        if (expected == SubscriptionStatus.Active) sim.Simulator.SetStatus(sub, SubscriptionStatus.Paused);

        var view = await Wire.JsonAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/status", $$"""{"status":"{{sent}}"}"""));

        Assert.That(view.GetProperty("status").GetString(), Is.EqualTo(shown));
        Assert.That(sub.Status, Is.EqualTo(expected));
        Assert.That(sub.Audit.Last().Action, Is.EqualTo("status.changed"));
        var run = await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id);
        Assert.That(run.StatusCode, Is.EqualTo(expected == SubscriptionStatus.Active ? HttpStatusCode.OK : HttpStatusCode.Forbidden));
    }

    [TestCase("""{"status":"ACTIVE"}""")]
    [TestCase("""{"status":"deleted"}""")]
    [TestCase("""{}""")]
    [TestCase(null)]
    public async Task Status_with_a_bad_value_is_400(string? body)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        await Wire.ErrorAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/status", body), HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        Assert.That(sub.Status, Is.EqualTo(SubscriptionStatus.Active));
    }

    [Test]
    public async Task Limit_sets_the_run_limit_and_tier()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 100);
        sub.TryConsumeRun(sim.Clock.GetUtcNow());

        var view = await Wire.JsonAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/limit", """{"runLimitPerMonth":3}"""));

        Assert.That(view.GetProperty("runLimit").GetInt32(), Is.EqualTo(3));
        Assert.That(view.GetProperty("tier").GetProperty("runLimitPerMonth").GetInt32(), Is.EqualTo(3));
        Assert.That(view.GetProperty("runsUsed").GetInt32(), Is.EqualTo(1), "without resetPeriod the period's usage stays");
        Assert.That(view.GetProperty("remaining").GetInt32(), Is.EqualTo(2));
    }

    [TestCase("""{}""")]
    [TestCase("""{"runLimitPerMonth":-1}""")]
    [TestCase(null)]
    public async Task Limit_with_a_bad_value_is_400(string? body)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(runLimit: 5);

        await Wire.ErrorAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/limit", body), HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        Assert.That(sub.RunLimit, Is.EqualTo(5));
    }

    [TestCase("""{"mode":"REJECT"}""")]
    [TestCase("""{"mode":"maybe"}""")]
    [TestCase(null)]
    public async Task Provider_mode_with_a_bad_value_is_400(string? body)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        await Wire.ErrorAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/provider", body), HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        Assert.That(sub.ProviderMode, Is.EqualTo(ProviderMode.Accept));
    }

    [Test]
    public async Task Config_failures_make_the_next_fetches_fail()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        await Wire.JsonAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/config-failures", """{"count":1}"""));

        Assert.That((await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id)).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("""{"count":-1}""")]
    [TestCase("""{}""")]
    public async Task Config_failures_with_a_bad_count_is_400(string body)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        await Wire.ErrorAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/config-failures", body), HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
    }

    [Test]
    public async Task Rotate_without_delivery_makes_a_fresh_canary_and_retires_the_old_key()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var old = sub.CurrentProviderKey;

        var root = await Wire.JsonAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/rotate", """{"deliver":false}"""));

        var value = root.GetProperty("value").GetString();
        Assert.That(root.GetProperty("field").GetString(), Is.EqualTo(SubscriptionFactory.DefaultProviderKeyField));
        Assert.That(value, Does.StartWith("sk-dkcanary").And.Not.EqualTo(old));
        Assert.That(root.GetProperty("delivery").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(sub.CurrentProviderKey, Is.EqualTo(value));
        Assert.That(sub.RetiredSecrets, Does.Contain(old));
        Assert.That(sub.Deliveries, Is.Empty);
        var config = await Wire.DataAsync(await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(sub.Id), sub.Id));
        Assert.That(config.GetProperty("config").GetProperty(SubscriptionFactory.DefaultProviderKeyField).GetString(), Is.EqualTo(value));
    }

    [Test]
    public async Task Rotate_with_a_given_value_and_field()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Simulator.CreateSubscription(new CreateSubscriptionRequest(SensitiveFields: ["openai_api_key", "whatsapp_token"]));

        var root = await Wire.JsonAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/rotate",
            """{"field":"whatsapp_token","value":"wa-new","deliver":false}"""));

        Assert.That(root.GetProperty("value").GetString(), Is.EqualTo("wa-new"));
        Assert.That(sub.SensitiveConfig["whatsapp_token"], Is.EqualTo("wa-new"));
    }

    [Test]
    public async Task Rotate_of_a_field_that_is_not_sensitive_is_400()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();
        var key = sub.CurrentProviderKey;

        await Wire.ErrorAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/rotate", """{"field":"business_name","deliver":false}"""),
            HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        Assert.That(sub.CurrentProviderKey, Is.EqualTo(key));
    }

    [Test]
    public async Task Rotate_that_cannot_deliver_is_409_and_changes_nothing()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create(); // no webhook URL anywhere
        var key = sub.CurrentProviderKey;

        await Wire.ErrorAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/rotate", null), HttpStatusCode.Conflict, "NO_WEBHOOK_URL");

        Assert.That(sub.CurrentProviderKey, Is.EqualTo(key), "a refused rotate must not half-happen");
        Assert.That(sub.RetiredSecrets, Is.Empty);
    }

    [Test]
    public async Task Deliver_without_any_webhook_url_is_409()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        await Wire.ErrorAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/deliver", null), HttpStatusCode.Conflict, "NO_WEBHOOK_URL");
    }

    [TestCase("""{"webhookUrl":"nope"}""")]
    [TestCase("""{"webhookUrl":"ftp://127.0.0.1/hooks"}""")]
    [TestCase("""{"webhookUrl":"/hooks"}""")]
    public async Task Deliver_to_an_invalid_url_is_400(string body)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        await Wire.ErrorAsync(await PostAsync(sim, $"/_sim/subscriptions/{sub.Id}/deliver", body), HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
        Assert.That(sub.Deliveries, Is.Empty);
    }

    [Test]
    public async Task Transcript_filters_by_subscription_and_sequence()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var a = sim.Create(runLimit: 10);
        var b = sim.Create(runLimit: 10);
        await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Run(a.Id), a.Id);
        await sim.SendRunTokenAsync(HttpMethod.Post, ApiPaths.Heartbeat(b.Id), b.Id);
        await sim.SendRunTokenAsync(HttpMethod.Get, ApiPaths.Config(a.Id), a.Id);

        var all = await Wire.JsonAsync(await sim.Client.GetAsync("/_sim/transcript"));
        Assert.That(all.GetArrayLength(), Is.EqualTo(3), "control-API calls are not part of the transcript");

        var onlyA = await Wire.JsonAsync(await sim.Client.GetAsync($"/_sim/transcript?subscription={a.Id}"));
        Assert.That(onlyA.EnumerateArray().Select(e => e.GetProperty("kind").GetString()), Is.EqualTo(new[] { ExchangeKinds.Run, ExchangeKinds.Config }));
        Assert.That(onlyA.EnumerateArray().Select(e => e.GetProperty("subscriptionId").GetString()), Is.All.EqualTo(a.Id));

        var firstSeq = all[0].GetProperty("seq").GetInt64();
        var since = await Wire.JsonAsync(await sim.Client.GetAsync($"/_sim/transcript?since={firstSeq}"));
        Assert.That(since.EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()), Is.All.GreaterThan(firstSeq));
        Assert.That(since.GetArrayLength(), Is.EqualTo(2));

        var both = await Wire.JsonAsync(await sim.Client.GetAsync($"/_sim/transcript?subscription={a.Id}&since={firstSeq}"));
        Assert.That(both.EnumerateArray().Select(e => e.GetProperty("kind").GetString()), Is.EqualTo(new[] { ExchangeKinds.Config }));
    }

    [Test]
    public async Task Transcript_with_a_non_numeric_since_is_400()
    {
        await using var sim = await InProcessSimulator.StartAsync();

        await Wire.ErrorAsync(await sim.Client.GetAsync("/_sim/transcript?since=yesterday"), HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed);
    }

    [TestCase("/_sim/subscriptions")]
    [TestCase("/_sim/subscriptions/{id}/deliver")]
    [TestCase("/_sim/subscriptions/{id}/rotate")]
    [TestCase("/_sim/subscriptions/{id}/status")]
    [TestCase("/_sim/subscriptions/{id}/limit")]
    [TestCase("/_sim/subscriptions/{id}/provider")]
    [TestCase("/_sim/subscriptions/{id}/config-failures")]
    public async Task Malformed_json_is_400_MALFORMED_JSON(string path)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create();

        await Wire.ErrorAsync(await PostAsync(sim, path.Replace("{id}", sub.Id), """{"status": "active",,}"""), HttpStatusCode.BadRequest, ErrorCodes.MalformedJson);
    }

    [TestCase("POST", "/_sim/subscriptions/{id}/deliver")]
    [TestCase("POST", "/_sim/subscriptions/{id}/rotate")]
    [TestCase("POST", "/_sim/subscriptions/{id}/status")]
    [TestCase("POST", "/_sim/subscriptions/{id}/limit")]
    [TestCase("POST", "/_sim/subscriptions/{id}/provider")]
    [TestCase("POST", "/_sim/subscriptions/{id}/config-failures")]
    [TestCase("GET", "/_sim/subscriptions/{id}")]
    public async Task Unknown_subscription_is_404(string method, string path)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        sim.Create();
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", "sub_ghost"));
        if (method == "POST") request.Content = InProcessSimulator.Json("""{"status":"active","runLimitPerMonth":1,"mode":"accept","count":1,"deliver":false}""");

        await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.NotFound, ErrorCodes.SubscriptionNotFound);
    }
}
