using Proxy.Web.Logging;

namespace Proxy.Web.Tests.Logging;

public sealed class RequestIdTests
{
    [Theory]
    [InlineData("abc-123")]
    [InlineData("A.b_c:d-e")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567")]
    public void Sane_ids_are_kept(string id)
    {
        Assert.Equal(id, RequestId.FromHeader(id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("<script>")]
    [InlineData("ünïcode")]
    public void Insane_ids_are_replaced(string id)
    {
        var replaced = RequestId.FromHeader(id);

        Assert.NotEqual(id, replaced);
        Assert.Matches("^[0-9a-f]{32}$", replaced);
    }

    [Fact]
    public void An_id_of_129_characters_is_too_long()
    {
        Assert.True(RequestId.IsSane(new string('a', 128)));
        Assert.False(RequestId.IsSane(new string('a', 129)));
    }

    [Fact]
    public void Two_ids_in_one_request_are_replaced()
    {
        Assert.Matches("^[0-9a-f]{32}$", RequestId.FromHeader(new Microsoft.Extensions.Primitives.StringValues(["a", "b"])));
    }

    [Fact]
    public async Task Client_id_comes_back_and_is_on_the_request_log_line()
    {
        await using var proxy = await TestProxy.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("X-Request-ID", "client-id-42");

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal("client-id-42", response.Headers.GetValues("X-Request-ID").Single());
        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("GET /v1/models 200"));
        Assert.Contains(" INF [client-id-42] Serilog.AspNetCore.RequestLoggingMiddleware: GET /v1/models 200 ", line);
    }

    [Fact]
    public async Task Insane_client_id_is_replaced_everywhere()
    {
        await using var proxy = await TestProxy.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/nope");
        request.Headers.TryAddWithoutValidation("X-Request-ID", new string('x', 129));

        using var response = await proxy.Client.SendAsync(request);

        var id = response.Headers.GetValues("X-Request-ID").Single();
        Assert.Matches("^[0-9a-f]{32}$", id);
        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("GET /nope 404"));
        Assert.Contains($"[{id}]", line);
    }

    [Fact]
    public async Task Every_response_gets_an_id_even_without_one_sent()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var one = await proxy.Client.GetAsync("/health");
        using var two = await proxy.Client.GetAsync("/health");

        var first = one.Headers.GetValues("X-Request-ID").Single();
        var second = two.Headers.GetValues("X-Request-ID").Single();
        Assert.Matches("^[0-9a-f]{32}$", first);
        Assert.NotEqual(first, second);
    }
}
