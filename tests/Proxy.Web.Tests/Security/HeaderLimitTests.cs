using System.Globalization;
using System.Net.Sockets;

namespace Proxy.Web.Tests.Security;

/// <summary>Oversized request lines and headers, sent over a raw socket as a client would, get the error envelope.</summary>
public sealed class HeaderLimitTests
{
    [Fact]
    public async Task A_100_kb_header_is_431_in_the_envelope()
    {
        await using var proxy = await TestProxy.StartAsync();

        var (status, contentType, body) = await SendAsync(proxy, "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 100_000) + "\r\n\r\n");

        Assert.Equal(431, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(
            new Envelope.Error("Request headers too large: 100018 bytes, the limit is 32768.", "invalid_request_error", null, "headers_too_large"),
            Envelope.Parse(body));
    }

    [Fact]
    public async Task Too_many_headers_is_431_in_the_envelope()
    {
        await using var proxy = await TestProxy.StartAsync();
        var headers = string.Concat(Enumerable.Range(0, 120).Select(i => $"X-H{i}: v\r\n"));

        var (status, _, body) = await SendAsync(proxy, "GET /v1/models HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");

        Assert.Equal(431, status);
        Assert.Equal("Too many request headers: 121, the limit is 100.", Envelope.Parse(body).Message);
    }

    [Fact]
    public async Task A_20_kb_request_line_is_414_in_the_envelope()
    {
        await using var proxy = await TestProxy.StartAsync();

        var (status, contentType, body) = await SendAsync(proxy, "GET /v1/" + new string('a', 20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(414, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(
            new Envelope.Error("Request line too long: 20017 bytes, the limit is 8192.", "invalid_request_error", null, "uri_too_long"),
            Envelope.Parse(body));
    }

    [Fact]
    public async Task Headers_at_the_limit_pass()
    {
        await using var proxy = await TestProxy.StartAsync();

        var (status, _, _) = await SendAsync(proxy, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 30_000) + "\r\n\r\n");

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Past_kestrels_ceiling_the_answer_is_kestrels_own_empty_431()
    {
        await using var proxy = await TestProxy.StartAsync();

        var (status, _, body) = await SendAsync(proxy, "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 200_000) + "\r\n\r\n");

        Assert.Equal(431, status);
        Assert.Equal(string.Empty, body);
    }

    /// <summary>Sends <paramref name="request"/> as bytes and reads one response (headers, then Content-Length or chunked body).</summary>
    private static async Task<(int Status, string? ContentType, string Body)> SendAsync(TestProxy proxy, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.BaseAddress.Host, proxy.BaseAddress.Port);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything; the answer is still there.
        }

        using var response = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            response.Write(buffer, 0, read);
            if (TryParse(response.ToArray(), out var parsed))
            {
                return parsed;
            }
        }

        Assert.True(TryParse(response.ToArray(), out var last), "incomplete response: " + Encoding.ASCII.GetString(response.ToArray()));
        return last;
    }

    private static bool TryParse(byte[] bytes, out (int Status, string? ContentType, string Body) response)
    {
        response = default;
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        string? Header(string name) => lines.Skip(1).Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();
        var contentType = Header("Content-Type")?.Split(';')[0];
        var rest = text[(end + 4)..];
        if (Header("Content-Length") is { } length)
        {
            var n = int.Parse(length, CultureInfo.InvariantCulture);
            if (Encoding.UTF8.GetByteCount(rest) < n)
            {
                return false;
            }

            response = (status, contentType, rest[..n]);
            return true;
        }

        // Chunked: complete at the zero-size chunk.
        var body = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = rest.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                return false;
            }

            var size = int.Parse(rest[position..lineEnd], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                response = (status, contentType, body.ToString());
                return true;
            }

            if (rest.Length < lineEnd + 2 + size + 2)
            {
                return false;
            }

            body.Append(rest, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}
