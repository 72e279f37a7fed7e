using System.Net;
using System.Net.Sockets;
using System.Text;
using Dukaan.Contract;
using Dukaan.Simulator.Tests.Infrastructure;

namespace Dukaan.Simulator.Tests;

/// <summary>
/// Malformed-signature probes are only as good as the bytes that really leave the harness: a non-ASCII byte must go out
/// as that one byte, a duplicated header as two lines (HttpClient would join them into one), a long value whole.
/// Checked at the socket, where nothing can reinterpret them.
/// </summary>
public sealed class ExactHeaderWireTests
{
    private static readonly TimeSpan AttemptTimeout = DeliveryPolicy.Default.AttemptTimeout;
    private static readonly byte[] SignaturePrefix = Encoding.ASCII.GetBytes(Headers.Signature + ":");

    private InProcessSimulator _sim = null!;
    private CancellationTokenSource _cts = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _sim = await InProcessSimulator.StartAsync();
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _sim.DisposeAsync();
        _cts.Dispose();
    }

    private static Task Answer401(NetworkStream stream, CancellationToken ct) =>
        RawReceiver.WriteAsync(stream, "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 25\r\n\r\n{\"error\":\"bad signature\"}", ct);

    private static OutgoingDelivery Delivery(Subscription sub, Uri url, string signature, params string[] extraSignatureLines)
    {
        var signed = OutgoingDelivery.Signed(sub.Id, EventTypes.BuyerConfigured, url, Encoding.UTF8.GetBytes("{\"event\":\"buyer_configured\"}"), InProcessSimulator.Secret);
        var headers = new Dictionary<string, string>(signed.Headers) { [Headers.Signature] = signature };
        return signed with
        {
            Headers = headers,
            ExtraHeaderLines = [.. extraSignatureLines.Select(v => KeyValuePair.Create(Headers.Signature, v))],
        };
    }

    private Task<DeliveryResult> SendAsync(Subscription sub, OutgoingDelivery delivery, bool fireTimeouts = false) =>
        _sim.Clock.DriveAsync(_sim.Simulator.SendAsync(sub, delivery, DeliveryPolicy.SingleAttempt, _cts.Token), AttemptTimeout, fireTimeouts, _cts.Token);

    /// <summary>The raw value bytes of every X-AgentDukaan-Sig line in a request head, in order.</summary>
    private static List<byte[]> SignatureLines(byte[] head)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i + 1 < head.Length; i++)
        {
            if (head[i] != '\r' || head[i + 1] != '\n') continue;
            var line = head.AsSpan(start, i - start);
            if (line.Length >= SignaturePrefix.Length && Ascii.EqualsIgnoreCase(line[..SignaturePrefix.Length], SignaturePrefix))
                lines.Add(line[SignaturePrefix.Length..].TrimStart((byte)' ').ToArray());
            start = i + 2;
        }
        return lines;
    }

    private Exchange Recorded(Subscription sub) =>
        _sim.Simulator.Transcript.ForSubscription(sub.Id).Single(e => e.Kind == ExchangeKinds.Delivery);

    [Test]
    public async Task A_non_ASCII_signature_goes_on_the_wire_as_one_raw_byte()
    {
        await using var receiver = new RawReceiver(Answer401);
        var sub = _sim.Create();
        var signature = new string('a', 31) + "\u00e9" + new string('b', 32);

        var result = await SendAsync(sub, Delivery(sub, receiver.Url, signature));

        Assert.That(result.Attempts.Single().Status, Is.EqualTo(401), result.Attempts.Single().Error);
        var value = SignatureLines(receiver.RequestHeads.Single()).Single();
        Assert.That(value, Has.Length.EqualTo(64), "64 characters, each one byte");
        Assert.That(value.Count(b => b > 0x7F), Is.EqualTo(1));
        Assert.That(value[31], Is.EqualTo(0xE9), "Latin-1: é is the single byte 0xE9, not UTF-8's two bytes");
    }

    [Test]
    public async Task A_repeated_header_goes_on_the_wire_as_separate_lines()
    {
        await using var receiver = new RawReceiver(Answer401);
        var sub = _sim.Create();
        var first = new string('1', 64);
        var second = new string('2', 64);

        var result = await SendAsync(sub, Delivery(sub, receiver.Url, first, second));

        Assert.That(result.Attempts.Single().Status, Is.EqualTo(401), result.Attempts.Single().Error);
        var lines = SignatureLines(receiver.RequestHeads.Single());
        Assert.That(lines.Select(l => Encoding.ASCII.GetString(l)), Is.EqualTo(new[] { first, second }),
            "two header lines, not one line joined with \", \"");
        Assert.That(Recorded(sub).RequestHeaders[Headers.Signature], Is.EqualTo(first + "\n" + second),
            "the transcript keeps both values, one per line");
        Assert.That(Recorded(sub).ResponseBody, Is.EqualTo("{\"error\":\"bad signature\"}"));
    }

    [Test]
    public async Task A_repeated_header_delivery_sends_the_body_and_the_other_headers_exactly()
    {
        await using var receiver = new RawReceiver(Answer401);
        var sub = _sim.Create();
        var delivery = Delivery(sub, receiver.Url, "x", "y");

        await SendAsync(sub, delivery);

        var head = Encoding.Latin1.GetString(receiver.RequestHeads.Single());
        Assert.That(head, Does.StartWith($"POST {receiver.Url.PathAndQuery} HTTP/1.1\r\n"));
        Assert.That(head, Does.Contain($"\r\nHost: 127.0.0.1:{receiver.Url.Port}\r\n"));
        Assert.That(head, Does.Contain("\r\nContent-Type: application/json\r\n"));
        Assert.That(head, Does.Contain($"\r\n{Headers.Event}: {EventTypes.BuyerConfigured}\r\n"));
        Assert.That(head, Does.Contain($"\r\nContent-Length: {delivery.Body.Length}\r\n"));
    }

    [Test]
    public async Task An_8_KiB_signature_goes_out_whole()
    {
        await using var receiver = new RawReceiver(Answer401);
        var sub = _sim.Create();
        var longValue = string.Concat(Enumerable.Repeat("0123456789abcdef", 512));

        var result = await SendAsync(sub, Delivery(sub, receiver.Url, longValue));

        Assert.That(result.Attempts.Single().Status, Is.EqualTo(401), result.Attempts.Single().Error);
        Assert.That(SignatureLines(receiver.RequestHeads.Single()).Single(), Is.EqualTo(Encoding.ASCII.GetBytes(longValue)));
    }

    [Test]
    public async Task A_repeated_header_delivery_decodes_a_chunked_answer()
    {
        await using var receiver = new RawReceiver((stream, ct) => RawReceiver.WriteAsync(stream,
            "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", ct));
        var sub = _sim.Create();

        var result = await SendAsync(sub, Delivery(sub, receiver.Url, "a", "b"));

        Assert.That(result.Attempts.Single().Status, Is.EqualTo(400), result.Attempts.Single().Error);
        Assert.That(Recorded(sub).ResponseBody, Is.EqualTo("hello world"));
        Assert.That(Recorded(sub).ResponseHeaders["Content-Type"], Is.EqualTo("text/plain"));
    }

    [Test]
    public async Task A_repeated_header_delivery_reads_an_answer_that_ends_with_the_connection()
    {
        await using var receiver = new RawReceiver((stream, ct) => RawReceiver.WriteAsync(stream, "HTTP/1.0 200 OK\r\n\r\n{\"ok\":true}", ct));
        var sub = _sim.Create();

        var result = await SendAsync(sub, Delivery(sub, receiver.Url, "a", "b"));

        Assert.That(result.Delivered, Is.True);
        Assert.That(Recorded(sub).ResponseBody, Is.EqualTo("{\"ok\":true}"));
    }

    [Test]
    public async Task A_repeated_header_delivery_caps_a_body_that_never_ends()
    {
        await using var receiver = new RawReceiver(async (stream, ct) =>
        {
            await RawReceiver.WriteAsync(stream, "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\n\r\n", ct);
            var chunk = new string('y', 16 * 1024);
            for (var i = 0; i < 5; i++) await RawReceiver.WriteAsync(stream, chunk, ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        var sub = _sim.Create();

        var result = await SendAsync(sub, Delivery(sub, receiver.Url, "a", "b")).WaitAsync(TimeSpan.FromSeconds(10), _cts.Token);

        Assert.That(result.Attempts.Single().Status, Is.EqualTo(401));
        Assert.That(Recorded(sub).ResponseBody, Does.EndWith("…[response truncated at 64 KiB]"));
    }

    [Test]
    public async Task A_repeated_header_delivery_to_a_receiver_that_never_answers_times_out()
    {
        await using var receiver = new RawReceiver((_, ct) => Task.Delay(Timeout.Infinite, ct));
        var sub = _sim.Create();

        var result = await SendAsync(sub, Delivery(sub, receiver.Url, "a", "b"), fireTimeouts: true);

        Assert.That(result.Attempts.Single().Status, Is.Null);
        Assert.That(result.Attempts.Single().Error, Does.StartWith("timeout: no response within 10 s"));
    }

    [Test]
    public async Task A_repeated_header_delivery_to_a_closed_port_is_a_connection_failure()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var sub = _sim.Create();

        var result = await SendAsync(sub, Delivery(sub, new Uri($"http://127.0.0.1:{port}/hooks/agentdukaan"), "a", "b"));

        Assert.That(result.Attempts.Single().Status, Is.Null);
        Assert.That(result.Attempts.Single().Error, Does.StartWith("connection failed"));
    }

    [Test]
    public async Task A_repeated_header_delivery_answered_with_something_not_http_is_a_connection_failure()
    {
        await using var receiver = new RawReceiver((stream, ct) => RawReceiver.WriteAsync(stream, "SSH-2.0-OpenSSH_9.2\r\n\r\n", ct));
        var sub = _sim.Create();

        var result = await SendAsync(sub, Delivery(sub, receiver.Url, "a", "b"));

        Assert.That(result.Attempts.Single().Status, Is.Null);
        Assert.That(result.Attempts.Single().Error, Does.StartWith("connection failed"));
    }
}
