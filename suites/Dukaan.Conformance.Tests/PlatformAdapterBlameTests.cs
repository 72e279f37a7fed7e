using System.Text;
using System.Text.Json.Nodes;
using Dukaan.Conformance.Agents;
using Dukaan.Conformance.Profiles.AgentDukaanPlatform;
using Dukaan.Conformance.Tests.Support;
using Dukaan.Simulator;
using Dukaan.Simulator.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dukaan.Conformance.Tests;

/// <summary>
/// Decision 29 with a misbehaving control adapter: a compliant platform behind an adapter that creates unusable
/// subscriptions is never failed; the rules the adapter spoiled are not-exercised and the evidence names the adapter.
/// The platform is the bundled simulator in process; the adapter's mistake is a proxy in front of it, so the platform's
/// own answers stay exactly the reference's.
/// </summary>
[TestFixture, Parallelizable(ParallelScope.Children)]
public sealed class PlatformAdapterBlameTests
{
    private const string Secret = "whsec_platform_adapter_blame";

    public enum AdapterMistake
    {
        /// <summary>Creates subscriptions on a 2-runs tier.</summary>
        TwoRunTier,
        /// <summary>Also delivers buyer_configured when it creates a subscription.</summary>
        DeliversOnCreate,
        /// <summary>Shows sensitive values as a dashboard would: "sk-…" and the last 4 characters.</summary>
        MasksSecrets,
    }

    [TestCase(AdapterMistake.TwoRunTier, "PL-AUTH-02", "run(s) left")]
    [TestCase(AdapterMistake.DeliversOnCreate, "PL-DLV-04", "create delivers too")]
    [TestCase(AdapterMistake.DeliversOnCreate, "PL-DLV-05", "create delivers too")]
    [TestCase(AdapterMistake.MasksSecrets, "PL-CFG-01", "masked")]
    public async Task A_compliant_platform_behind_a_misbehaving_adapter_is_not_failed_and_the_adapter_is_named(AdapterMistake mistake, string rule, string cause)
    {
        await using var platform = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Secret = Secret, Clock = new CompressedClock(PlatformEngine.BundledTimeScale), Chat = PlatformEngine.DefaultChat,
        });
        await using var adapter = await AdapterProxy.StartAsync(platform.BaseUrl, mistake);
        var run = await CertifyRun.StartAsync(
            ["certify", "--profile", PlatformProfile.Id, "--platform-url", adapter.Url, "--secret", Secret, "--time-scale", $"{PlatformEngine.BundledTimeScale:0}"],
            TimeSpan.FromMinutes(1));
        Assert.That(run.Results, Is.Not.Null, run.Describe());
        var result = run.Results!.Rules.Single(r => r.Id == rule);
        Assert.Multiple(() =>
        {
            Assert.That(run.NonPassing.Where(p => p.Value == Verdict.Fail).Select(p => p.Key), Is.Empty, run.Describe());
            Assert.That(result.Verdict, Is.EqualTo(Verdict.NotExercised), run.Describe());
            Assert.That(result.Evidence.Observed, Does.Contain("control adapter").And.Contain(cause), run.Describe());
            // The profile refuses --trigger-url, so its advice must not be the agent profile's.
            Assert.That(run.Results.Notes, Has.None.Contains("--trigger-url").And.Some.Contains("cannot certify the platform"), run.Describe());
        });
    }

    /// <summary>A pass-through to the platform that makes one adapter mistake; the agent API is forwarded byte for byte.</summary>
    private sealed class AdapterProxy(WebApplication app, string url) : IAsyncDisposable
    {
        private static readonly HashSet<string> Hop = new(StringComparer.OrdinalIgnoreCase)
        {
            "Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect", "Keep-Alive",
        };

        public string Url { get; } = url;

        public static async Task<AdapterProxy> StartAsync(Uri platform, AdapterMistake mistake)
        {
            var port = FreePort.Pick();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 8 << 20);
            var app = builder.Build();
            var http = new HttpClient { BaseAddress = platform, Timeout = TimeSpan.FromSeconds(90) };
            app.Run(async context => await ForwardAsync(context, http, mistake));
            await app.StartAsync();
            return new AdapterProxy(app, $"http://127.0.0.1:{port}");
        }

        private static async Task ForwardAsync(HttpContext context, HttpClient http, AdapterMistake mistake)
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var path = context.Request.Path.Value!.TrimStart('/') + context.Request.QueryString.Value;
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), path);
            if (buffer.Length > 0 || context.Request.ContentLength is not null) request.Content = new ByteArrayContent(buffer.ToArray());
            // The platform refuses an oversized body from its headers (413) and closes: asking first lets the proxy read that
            // answer instead of a broken pipe, exactly as the harness's own caller does.
            if (buffer.Length > 64 * 1024) request.Headers.ExpectContinue = true;
            foreach (var (name, values) in context.Request.Headers)
                if (!Hop.Contains(name) && !request.Headers.TryAddWithoutValidation(name, values.ToArray()))
                    request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            using var response = await http.SendAsync(request, context.RequestAborted);
            var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
            var isCreate = context.Request.Method == "POST" && path == "_sim/subscriptions" && response.IsSuccessStatusCode;
            if (isCreate) body = await AfterCreateAsync(http, body, mistake, context.RequestAborted);
            if (mistake == AdapterMistake.MasksSecrets && path.StartsWith("_sim/", StringComparison.Ordinal)) body = Mask(body);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                if (!Hop.Contains(name)) context.Response.Headers[name] = values.ToArray();
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }

        private static async Task<byte[]> AfterCreateAsync(HttpClient http, byte[] created, AdapterMistake mistake, CancellationToken cancellationToken)
        {
            var id = JsonNode.Parse(created)!["id"]!.GetValue<string>();
            switch (mistake)
            {
                case AdapterMistake.TwoRunTier:
                    using (var limited = await http.PostAsync($"_sim/subscriptions/{id}/limit", Json("""{"runLimitPerMonth": 2}"""), cancellationToken))
                        return await limited.Content.ReadAsByteArrayAsync(cancellationToken);
                case AdapterMistake.DeliversOnCreate:
                    // As a platform whose "subscribe" flow sends buyer_configured itself: in the background, after answering.
                    _ = Task.Run(async () => (await http.PostAsync($"_sim/subscriptions/{id}/deliver", Json("""{"retry": false}"""), CancellationToken.None)).Dispose(), CancellationToken.None);
                    return created;
                default:
                    return created;
            }
        }

        private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

        private static byte[] Mask(byte[] body)
        {
            JsonNode? json;
            try
            {
                json = JsonNode.Parse(body);
            }
            catch (System.Text.Json.JsonException)
            {
                return body;
            }
            if (json?["sensitive"] is not JsonObject sensitive) return body;
            foreach (var name in sensitive.Select(p => p.Key).ToList())
                sensitive[name] = sensitive[name]!.GetValue<string>() is var v && v.Length > 4 ? v[..3] + "…" + v[^4..] : "…";
            return Encoding.UTF8.GetBytes(json.ToJsonString());
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}

/// <summary>Decision 38: the platform profile reads an error's code in either shape, and says so when there is none.</summary>
[TestFixture]
public sealed class PlatformErrorBodyTests
{
    private static Exchange Answer(int status, string body) => new(1, Direction.AgentToPlatform, ExchangeKinds.Run, "sub_1", "POST",
        "http://127.0.0.1:1/api/subscriptions/sub_1/run", new Dictionary<string, string>(), "{}", status, new Dictionary<string, string>(), body,
        DateTimeOffset.UtcNow, 1, null, new Dictionary<string, string>());

    [TestCase("""{"success":false,"error":{"code":"RUN_LIMIT_EXCEEDED","message":"over"}}""")]
    [TestCase("""{"success":false,"code":"RUN_LIMIT_EXCEEDED","message":"over"}""")]
    public void The_code_is_read_nested_or_flat_and_named_in_the_description(string body)
    {
        var e = Answer(429, body);
        Assert.Multiple(() =>
        {
            Assert.That(PlatformCaller.ErrorCode(e), Is.EqualTo("RUN_LIMIT_EXCEEDED"));
            Assert.That(PlatformCaller.Describe(e), Does.EndWith("→ 429 RUN_LIMIT_EXCEEDED"));
        });
    }

    [Test]
    public void An_answer_without_a_code_says_so_instead_of_429_not_429()
    {
        var described = PlatformCaller.Describe(Answer(429, """{"success":false,"reason":"over"}"""));
        Assert.That(described, Does.Contain("without an error code").And.Contain("\"reason\":\"over\""));
    }
}
