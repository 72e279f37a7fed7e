using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Dukaan.Simulator.ExactWire;

/// <summary>
/// A one-request HTTP/1.1 client that writes exactly what it is given: each value of a header on a line of its own,
/// each character of a value as one Latin-1 byte. Only the harness's odd probes go through it, each on a fresh
/// connection that the response's body stream closes.
/// </summary>
internal static class RawHttp1Client
{
    private const int MaxHeadLineBytes = 16 * 1024;
    private const int MaxHeaderLines = 256;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    // Framing is this client's to write: copied from the message, these could contradict the body it actually sends.
    private static readonly HashSet<string> FramingHeaders = new(StringComparer.OrdinalIgnoreCase) { "Host", "Content-Length", "Transfer-Encoding", "Connection" };

    public static async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var head = Head(request, uri, body.Length);
        var connection = await ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.Stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
            await connection.Stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            await connection.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return await ReadResponseHeadAsync(connection.Reader, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            connection.Reader.Dispose();
            throw new HttpRequestException(HttpRequestError.ResponseEnded, ex.Message, ex);
        }
        catch
        {
            connection.Reader.Dispose();
            throw;
        }
    }

    private static byte[] Head(HttpRequestMessage request, Uri uri, int bodyLength)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{request.Method.Method} {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\n");
        var headers = request.Headers.NonValidated.AsEnumerable();
        if (request.Content is not null) headers = headers.Concat(request.Content.Headers.NonValidated);
        foreach (var (name, values) in headers.Where(h => !FramingHeaders.Contains(h.Key)))
            foreach (var value in values)
                text.Append(CultureInfo.InvariantCulture, $"{Checked(name, value)}: {value}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Content-Length: {bodyLength}\r\nConnection: close\r\n\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>One byte per character is the point; a character that has no such byte, or a line break, is a harness bug.</summary>
    private static string Checked(string name, string value) =>
        value.Any(c => c > 0xFF || c is '\r' or '\n' or '\0') || name.Any(c => c is <= ' ' or > '~' or ':')
            ? throw new ArgumentException($"Header '{name}' cannot go on the wire as one Latin-1 byte per character on one line.", nameof(value))
            : name;

    private sealed record Connection(Stream Stream, BufferedConnection Reader);

    private static async Task<Connection> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(uri.IdnHost, uri.Port), connectTimeout.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = uri.IdnHost }, connectTimeout.Token).ConfigureAwait(false);
            }
            return new Connection(stream, new BufferedConnection(stream, socket));
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            var why = ex is OperationCanceledException ? $"no connection within {ConnectTimeout.TotalSeconds:0} s" : ex.Message;
            throw new HttpRequestException(ex is AuthenticationException ? HttpRequestError.SecureConnectionError : HttpRequestError.ConnectionError, why, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<HttpResponseMessage> ReadResponseHeadAsync(BufferedConnection reader, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        while (true)
        {
            var statusLine = await reader.ReadLineAsync(MaxHeadLineBytes, cancellationToken).ConfigureAwait(false)
                ?? throw new HttpRequestException(HttpRequestError.ResponseEnded, "The connection closed before a status line arrived.");
            if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1.", StringComparison.Ordinal) || statusLine[8] != ' '
                || !int.TryParse(statusLine.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 100)
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"Received an invalid status line: '{statusLine}'.");
            var headers = await ReadHeaderLinesAsync(reader, cancellationToken).ConfigureAwait(false);
            // An interim answer (100 Continue, 103 Early Hints) is not the answer.
            if (status is >= 100 and < 200 and not 101) continue;

            var response = new HttpResponseMessage((HttpStatusCode)status)
            {
                RequestMessage = request,
                Version = new Version(1, statusLine[7] - '0'),
                ReasonPhrase = statusLine.Length > 13 ? statusLine[13..] : null,
            };
            var (framing, length) = Framing(request, status, headers);
            var content = new StreamContent(new Http1BodyStream(reader, framing, length));
            foreach (var (name, value) in headers)
                if (!response.Headers.TryAddWithoutValidation(name, value)) content.Headers.TryAddWithoutValidation(name, value);
            response.Content = content;
            return response;
        }
    }

    private static async Task<List<(string Name, string Value)>> ReadHeaderLinesAsync(BufferedConnection reader, CancellationToken cancellationToken)
    {
        var headers = new List<(string, string)>();
        while (await reader.ReadLineAsync(MaxHeadLineBytes, cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) return headers;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw new HttpRequestException(HttpRequestError.InvalidResponse, $"Received an invalid header line: '{line}'.");
            if (headers.Count == MaxHeaderLines) throw new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, $"The answer has more than {MaxHeaderLines} header lines.");
            headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        throw new HttpRequestException(HttpRequestError.ResponseEnded, "The connection closed inside the response headers.");
    }

    private static (BodyFraming Framing, long Length) Framing(HttpRequestMessage request, int status, List<(string Name, string Value)> headers)
    {
        if (request.Method == HttpMethod.Head || status is 204 or 304) return (BodyFraming.Empty, 0);
        string? Header(string name) => headers.LastOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        if (Header("Transfer-Encoding") is { } coding && coding.TrimEnd().EndsWith("chunked", StringComparison.OrdinalIgnoreCase))
            return (BodyFraming.Chunked, 0);
        if (Header("Content-Length") is not { } lengthText) return (BodyFraming.UntilClose, 0);
        return long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? (BodyFraming.ContentLength, length)
            : throw new HttpRequestException(HttpRequestError.InvalidResponse, $"Received an invalid Content-Length: '{lengthText}'.");
    }
}
