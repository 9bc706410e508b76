using System.Net;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary><c>X-Request-ID</c>: a sane client id is kept, returned and logged; anything else is replaced.</summary>
public sealed class RequestIdTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sane_client_id_comes_back_and_is_on_the_requests_log_lines(bool stream)
    {
        await using var gateway = await Gateway.StartAsync("chunks=2");
        const string id = "e2e-Req.42:abc_X";
        using var request = Gateway.ChatRequest(stream);
        request.Headers.Add("X-Request-ID", id);

        using var response = await gateway.Client.SendAsync(request);
        await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([id], response.Headers.GetValues("X-Request-ID"));
        Assert.Contains($"[{id}]", gateway.LogText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("has spaces in it")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("line\tbreak")]
    public async Task Insane_client_id_is_replaced_by_a_new_one(string insane)
    {
        await using var gateway = await Gateway.StartAsync("chunks=2");
        using var request = Gateway.ChatRequest(stream: false);
        Assert.True(request.Headers.TryAddWithoutValidation("X-Request-ID", insane));

        using var response = await gateway.Client.SendAsync(request);
        await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = Assert.Single(response.Headers.GetValues("X-Request-ID"));
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Contains($"[{id}]", gateway.LogText, StringComparison.Ordinal);
        Assert.DoesNotContain(insane, gateway.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_long_client_id_is_replaced()
    {
        await using var gateway = await Gateway.StartAsync("chunks=2");
        var tooLong = new string('a', 129);
        using var request = Gateway.ChatRequest(stream: false);
        request.Headers.Add("X-Request-ID", tooLong);

        using var response = await gateway.Client.SendAsync(request);

        var id = Assert.Single(response.Headers.GetValues("X-Request-ID"));
        Assert.NotEqual(tooLong, id);
        Assert.Matches("^[0-9a-f]{32}$", id);
    }
}
