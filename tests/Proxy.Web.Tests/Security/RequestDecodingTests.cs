using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Security;

public sealed class RequestDecodingTests
{
    private const string Chat = """{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"héllo"}]}""";

    private static Task<TestProxy> Start(FakeChatHandler handler, string limit = "4096") =>
        TestProxy.StartAsync(
            new Dictionary<string, string?> { ["MAX_REQUEST_BODY_BYTES"] = limit },
            s => s.AddSingleton<IChatCompletionsHandler>(handler));

    private static HttpRequestMessage Post(byte[] body, params string[] encodings)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var encoding in encodings)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        return new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
    }

    private static byte[] Encode(string coding, byte[] data)
    {
        if (coding == "zstd")
        {
            using var zstd = new ZstdSharp.Compressor();
            return zstd.Wrap(data).ToArray();
        }

        using var output = new MemoryStream();
        using (Stream stream = coding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true),
            "br" => new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true),
            _ => throw new ArgumentOutOfRangeException(nameof(coding)),
        })
        {
            stream.Write(data);
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    [InlineData("zstd")]
    public async Task An_encoded_body_reaches_the_endpoint_decoded(string coding)
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);
        using var request = Post(Encode(coding, Encoding.UTF8.GetBytes(Chat)), coding);

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Chat, Encoding.UTF8.GetString(Assert.Single(handler.Requests).Body.Span));
    }

    [Fact]
    public async Task Two_codings_are_undone_in_reverse_order()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);
        using var request = Post(Encode("br", Encode("gzip", Encoding.UTF8.GetBytes(Chat))), "gzip", "br");

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Chat, Encoding.UTF8.GetString(Assert.Single(handler.Requests).Body.Span));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public async Task A_small_body_that_inflates_past_the_limit_is_413(string coding)
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);
        var bomb = Encoding.UTF8.GetBytes("{\"model\":\"qwen3-coder-plus\",\"messages\":[],\"pad\":\"" + new string(' ', 1_000_000) + "\"}");
        var sent = Encode(coding, bomb);
        Assert.True(sent.Length < 4096, $"the encoded body is {sent.Length} bytes");
        using var request = Post(sent, coding);

        using var response = await proxy.Client.SendAsync(request);

        var error = await Envelope.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(new Envelope.Error("Request body too large: the limit is 4096 bytes (MAX_REQUEST_BODY_BYTES).", "invalid_request_error", null, "request_too_large"), error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task An_unknown_coding_is_415_naming_it()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);
        using var request = Post(Encoding.UTF8.GetBytes(Chat), "compress");

        using var response = await proxy.Client.SendAsync(request);

        var error = await Envelope.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(
            new Envelope.Error("Unsupported Content-Encoding 'compress': send the body uncompressed or as gzip, deflate, br, zstd.", "invalid_request_error", null, "unsupported_content_encoding"),
            error);
        Assert.Equal("gzip, deflate, br, zstd", string.Join(", ", response.Headers.GetValues("Accept-Encoding")));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_body_that_is_not_in_its_coding_is_400_naming_it()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);
        using var request = Post(Encoding.UTF8.GetBytes(Chat), "gzip");

        using var response = await proxy.Client.SendAsync(request);

        var error = await Envelope.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(new Envelope.Error("Bad request: The request body is not valid gzip data (Content-Encoding: gzip).", "invalid_request_error", null, "bad_request"), error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Identity_is_no_coding()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);
        using var request = Post(Encoding.UTF8.GetBytes(Chat), "identity");

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Chat, Encoding.UTF8.GetString(Assert.Single(handler.Requests).Body.Span));
    }
}
