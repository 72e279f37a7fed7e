using System.Net;
using System.Text;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

/// <summary>Whatever an agent sends, the simulator answers 4xx with the JSON error body; a 500 would blame the harness.</summary>
public sealed class MalformedRequestTests
{
    [TestCase("GET", "/")]
    [TestCase("GET", "/nope")]
    [TestCase("POST", "/api/subscriptions/sub_x/unknown")]
    [TestCase("GET", "/api/subscriptions")]
    [TestCase("POST", "/v1/embeddings")]
    [TestCase("GET", "/_sim/nothing-here")]
    public async Task Unknown_route_is_404_ROUTE_NOT_FOUND(string method, string path)
    {
        await using var sim = await InProcessSimulator.StartAsync();

        await Wire.ErrorAsync(await sim.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), HttpStatusCode.NotFound, ErrorCodes.RouteNotFound);
    }

    [TestCase("GET", "/api/subscriptions/sub_x/run")]
    [TestCase("PUT", "/api/subscriptions/sub_x/heartbeat")]
    [TestCase("POST", "/api/subscriptions/sub_x/config")]
    [TestCase("DELETE", "/api/subscriptions/sub_x/config")]
    [TestCase("GET", "/api/subscriptions/sub_x/request-config")]
    [TestCase("GET", "/v1/chat/completions")]
    [TestCase("DELETE", "/_sim/subscriptions")]
    [TestCase("PATCH", "/_sim/subscriptions/sub_x/status")]
    public async Task Wrong_method_is_405_METHOD_NOT_ALLOWED(string method, string path)
    {
        await using var sim = await InProcessSimulator.StartAsync();

        var response = await sim.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await Wire.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed);
        Assert.That(response.Content.Headers.Allow, Is.Not.Empty, "a 405 names the methods that are allowed");
    }

    [TestCase("/api/subscriptions/sub_x/run")]
    [TestCase("/api/subscriptions/sub_x/request-config")]
    [TestCase("/v1/chat/completions")]
    [TestCase("/_sim/subscriptions")]
    public async Task Body_over_the_limit_is_413_PAYLOAD_TOO_LARGE(string path)
    {
        await using var sim = await InProcessSimulator.StartAsync(o => o with { MaxRequestBodyBytes = 4096 });
        var sub = sim.Create("sub_x");

        var request = sim.RunTokenRequest(HttpMethod.Post, path, sub.Id);
        request.Content = new ByteArrayContent(new byte[4097]);

        await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
        Assert.That(sub.RunsUsed, Is.Zero);
    }

    [Test]
    public async Task Body_of_exactly_the_limit_is_read()
    {
        await using var sim = await InProcessSimulator.StartAsync(o => o with { MaxRequestBodyBytes = 4096 });
        var sub = sim.Create();
        var request = sim.RunTokenRequest(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id);
        request.Content = new ByteArrayContent(new byte[4096]);

        Assert.That((await sim.Client.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Chunked_body_over_the_limit_without_a_length_is_413()
    {
        await using var sim = await InProcessSimulator.StartAsync(o => o with { MaxRequestBodyBytes = 4096 });
        var sub = sim.Create();
        var request = sim.RunTokenRequest(HttpMethod.Post, ApiPaths.Run(sub.Id), sub.Id);
        request.Content = new StreamContent(new UnseekableStream(new byte[100_000]));
        Assert.That(request.Content.Headers.ContentLength, Is.Null, "the test must exercise the no-Content-Length path");

        await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
        Assert.That(sub.RunsUsed, Is.Zero);
    }

    /// <summary>
    /// A catalogue of broken requests, each with the refusal the simulator owes it: a 4xx with the contract's JSON error
    /// body and the code that names what is wrong (the first check the request fails, in the order the endpoint checks).
    /// </summary>
    private static IEnumerable<TestCaseData> BrokenRequests()
    {
        const string inWindow = "1718600000000"; // InProcessSimulator.Start: inside the timestamp window
        TestCaseData Case(string name, HttpStatusCode status, string code, string method, string path, string? body, params (string Header, string Value)[] headers) =>
            new TestCaseData(method, path, body, headers, status, code).SetName($"Never_500: {name} is {(int)status} {code}");

        yield return Case("config without any header", HttpStatusCode.Unauthorized, ErrorCodes.MissingSignature, "GET", "/api/subscriptions/sub_x/config", null);
        yield return Case("run with an empty signature", HttpStatusCode.Unauthorized, ErrorCodes.MissingSignature, "POST", "/api/subscriptions/sub_x/run", null, ("X-AgentDukaan-Sig", ""), ("X-AgentDukaan-Ts", "1"));
        yield return Case("run with a huge timestamp", HttpStatusCode.Unauthorized, ErrorCodes.StaleTimestamp, "POST", "/api/subscriptions/sub_x/run", null, ("X-AgentDukaan-Sig", "00"), ("X-AgentDukaan-Ts", "9223372036854775807"));
        yield return Case("run with a whitespace timestamp", HttpStatusCode.Unauthorized, ErrorCodes.MissingTimestamp, "POST", "/api/subscriptions/sub_x/run", null, ("X-AgentDukaan-Sig", "00"), ("X-AgentDukaan-Ts", "   "));
        yield return Case("run with a non-hex signature", HttpStatusCode.Unauthorized, ErrorCodes.InvalidTimestamp, "POST", "/api/subscriptions/sub_x/run", null, ("X-AgentDukaan-Sig", "zz-not-hex-ü"), ("X-AgentDukaan-Ts", "now"));
        yield return Case("run with a non-hex signature in the window", HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature, "POST", "/api/subscriptions/sub_x/run", null, ("X-AgentDukaan-Sig", "zz-not-hex-ü"), ("X-AgentDukaan-Ts", inWindow));
        yield return Case("heartbeat with a binary body", HttpStatusCode.Unauthorized, ErrorCodes.MissingTimestamp, "POST", "/api/subscriptions/sub_x/heartbeat", "\u0000\u0001\u0002", ("X-AgentDukaan-Sig", "00"));
        yield return Case("request-config without a body", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson, "POST", "/api/subscriptions/sub_x/request-config", null, ("X-AgentDukaan-Sig", "00"), ("X-AgentDukaan-Ts", inWindow));
        yield return Case("request-config with truncated JSON", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson, "POST", "/api/subscriptions/sub_x/request-config", "{\"fields\":[\"a\"", ("X-AgentDukaan-Sig", "00"), ("X-AgentDukaan-Ts", inWindow));
        yield return Case("request-config with deep nesting", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson, "POST", "/api/subscriptions/sub_x/request-config", new string('[', 5000) + new string(']', 5000), ("X-AgentDukaan-Sig", "00"), ("X-AgentDukaan-Ts", inWindow));
        yield return Case("request-config with a number for fields", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson, "POST", "/api/subscriptions/sub_x/request-config", "{\"fields\":1e400}", ("X-AgentDukaan-Sig", "00"), ("X-AgentDukaan-Ts", inWindow));
        yield return Case("request-config with empty fields", HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, "POST", "/api/subscriptions/sub_x/request-config", "{\"fields\":[]}", ("X-AgentDukaan-Sig", "00"), ("X-AgentDukaan-Ts", inWindow));
        yield return Case("id with encoded slashes", HttpStatusCode.Unauthorized, ErrorCodes.InvalidSignature, "GET", "/api/subscriptions/a%2Fb%2F..%2Fc/config", null, ("X-AgentDukaan-Sig", "00"), ("X-AgentDukaan-Ts", inWindow));
        yield return Case("chat completions with garbage auth", HttpStatusCode.Unauthorized, ErrorCodes.InvalidProviderKey, "POST", "/v1/chat/completions", "{", ("Authorization", "Bearer"));
        yield return Case("control create with a JSON string", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson, "POST", "/_sim/subscriptions", "\"hello\"");
        yield return Case("control create with a tier of the wrong type", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson, "POST", "/_sim/subscriptions", "{\"tier\":\"gold\"}");
        yield return Case("control create with a relative webhook URL", HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, "POST", "/_sim/subscriptions", "{\"webhookUrl\":\"/hooks\"}");
        yield return Case("control limit with an overflowing number", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson, "POST", "/_sim/subscriptions/sub_x/limit", "{\"runLimitPerMonth\":99999999999999}");
        yield return Case("control limit without a limit", HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, "POST", "/_sim/subscriptions/sub_x/limit", "{}");
        yield return Case("control status with a number", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson, "POST", "/_sim/subscriptions/sub_x/status", "{\"status\":5}");
        yield return Case("control status with an unknown status", HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, "POST", "/_sim/subscriptions/sub_x/status", "{\"status\":\"frozen\"}");
        yield return Case("control transcript with an overflowing since", HttpStatusCode.BadRequest, ErrorCodes.ValidationFailed, "GET", "/_sim/transcript?since=99999999999999999999", null);
    }

    [TestCaseSource(nameof(BrokenRequests))]
    public async Task Broken_requests_get_a_4xx_json_error(string method, string path, string? body, (string Header, string Value)[] headers, HttpStatusCode status, string code)
    {
        await using var sim = await InProcessSimulator.StartAsync();
        var sub = sim.Create("sub_x");
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        foreach (var (header, value) in headers) request.Headers.TryAddWithoutValidation(header, value);

        var response = await sim.Client.SendAsync(request);

        // The provider endpoint answers in OpenAI's error shape; everything else in the contract's.
        if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            var error = (await Wire.JsonAsync(response, status)).GetProperty("error");
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code));
            Assert.That(error.GetProperty("message").GetString(), Is.Not.Null.And.Not.Empty);
        }
        else
            await Wire.ErrorAsync(response, status, code);
        Assert.That(sub.RunsUsed, Is.Zero, "a refused request consumes no run");
    }

    [Test]
    public async Task A_crafted_timestamp_that_overflows_the_seconds_check_is_still_a_401()
    {
        await using var sim = await InProcessSimulator.StartAsync();
        sim.Create("sub_x");
        // ts × 1000 wraps around in 64 bits to exactly now − 2^63, so |now − ts × 1000| would be |long.MinValue|.
        var ts = OverflowingTimestamp(sim.NowMs);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/subscriptions/sub_x/run");
        request.Headers.Add(Headers.Timestamp, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(Headers.Signature, new string('0', 64));

        await Wire.ErrorAsync(await sim.Client.SendAsync(request), HttpStatusCode.Unauthorized, ErrorCodes.StaleTimestamp);
    }

    /// <summary>The non-negative ts with ts·1000 ≡ now + 2^63 (mod 2^64); exists when now is a multiple of 8, as the fixed start is.</summary>
    internal static long OverflowingTimestamp(long nowMs)
    {
        Assert.That(nowMs % 8, Is.Zero);
        var modulus = System.Numerics.BigInteger.One << 61;
        var target = ((new System.Numerics.BigInteger(nowMs) + (System.Numerics.BigInteger.One << 63)) / 8) % modulus;
        var inverse = System.Numerics.BigInteger.ModPow(125, (System.Numerics.BigInteger.One << 60) - 1, modulus); // 125^(φ(2^61)−1)
        var ts = (long)(target * inverse % modulus);
        Assert.That(unchecked(nowMs - ts * 1000), Is.EqualTo(long.MinValue), "helper must produce the overflowing value");
        return ts;
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
