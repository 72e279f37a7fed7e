using System.Net;
using System.Net.Sockets;
using System.Text;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

/// <summary>What only real Kestrel does: its own body-size limit, real status lines, real sockets.</summary>
public sealed class LoopbackTests
{
    private SimulatorHost _host = null!;
    private HttpClient _client = null!;
    private Subscription _sub = null!;
    private CancellationTokenSource _cts = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _host = await SimulatorHost.StartAsync(new SimulatorOptions { Port = 0, Secret = InProcessSimulator.Secret, MaxRequestBodyBytes = 4096 }, _cts.Token);
        _sub = _host.Simulator.CreateSubscription(new CreateSubscriptionRequest(Tier: new Tier("Test", 1, 10)));
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = _host.BaseUrl };
    }

    [TearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        _cts.Dispose();
    }

    private HttpRequestMessage Signed(HttpMethod method, string path)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Add(Headers.Timestamp, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(Headers.Signature, TestSigning.HexHmac(InProcessSimulator.Secret, $"{_sub.Id}.{ts}"));
        return request;
    }

    [Test]
    public async Task Signed_config_fetch_succeeds_over_a_socket()
    {
        var data = await Wire.DataAsync(await _client.SendAsync(Signed(HttpMethod.Get, ApiPaths.Config(_sub.Id)), _cts.Token));

        Assert.That(data.GetProperty("config").GetProperty(SubscriptionFactory.DefaultProviderKeyField).GetString(), Is.EqualTo(_sub.CurrentProviderKey));
    }

    [Test]
    public async Task Oversized_body_with_a_length_is_413()
    {
        var request = Signed(HttpMethod.Post, ApiPaths.Run(_sub.Id));
        request.Content = new ByteArrayContent(new byte[8192]);

        await Wire.ErrorAsync(await _client.SendAsync(request, _cts.Token), HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
        Assert.That(_sub.RunsUsed, Is.Zero);
    }

    [Test]
    public async Task Oversized_chunked_body_is_413_from_kestrels_own_limit()
    {
        // Raw bytes so the body really is chunked and larger than Kestrel's MaxRequestBodySize.
        var chunk = new string('x', 3000);
        var chunked = $"{chunk.Length:x}\r\n{chunk}\r\n{chunk.Length:x}\r\n{chunk}\r\n0\r\n\r\n";
        var raw = $"POST {ApiPaths.Run(_sub.Id)} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunked}";

        var (status, body) = await RawExchangeAsync(raw);

        Assert.That(status, Is.EqualTo(413), body);
        await Wire.ErrorAsync(new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") },
            HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
    }

    [Test]
    public async Task Wrong_method_and_unknown_route_over_a_socket()
    {
        await Wire.ErrorAsync(await _client.GetAsync(ApiPaths.Run(_sub.Id).TrimStart('/'), _cts.Token), HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed);
        await Wire.ErrorAsync(await _client.GetAsync("nowhere", _cts.Token), HttpStatusCode.NotFound, ErrorCodes.RouteNotFound);
    }

    [Test]
    public async Task Malformed_http_does_not_take_the_simulator_down()
    {
        var (status, _) = await RawExchangeAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nthis line is no header\r\n\r\n");
        Assert.That(status, Is.InRange(400, 499));

        Assert.That((await _client.SendAsync(Signed(HttpMethod.Post, ApiPaths.Heartbeat(_sub.Id)), _cts.Token)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task<(int Status, string Body)> RawExchangeAsync(string raw)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _host.BaseUrl.Port, _cts.Token);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(raw), _cts.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything; the answer is what matters.
        }
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync(_cts.Token);
        var statusLine = response.Split("\r\n", 2)[0];
        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var (head, body) = response.Split("\r\n\r\n", 2) is [var h, var b] ? (h, b) : (response, "");
        return (status, head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(body) : body);
    }

    private static string Dechunk(string body)
    {
        var result = new StringBuilder();
        var rest = body.AsSpan();
        while (rest.IndexOf("\r\n") is var eol and > 0)
        {
            var size = int.Parse(rest[..eol], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if (size == 0) break;
            result.Append(rest.Slice(eol + 2, size));
            rest = rest[(eol + 2 + size + 2)..];
        }
        return result.ToString();
    }
}
