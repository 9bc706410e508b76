namespace Proxy.Web.Tests.Models;

public sealed class ModelEndpointsTests
{
    [Fact]
    public async Task List_is_openai_format_with_known_models_and_aliases()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?> { ["MODEL_ALIASES"] = "gpt-4o=qwen3-coder-plus" });

        using var response = await proxy.Client.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """{"object":"list","data":[""" +
            """{"id":"qwen3-coder-plus","object":"model","created":1753142400,"owned_by":"qwen","context_length":1048576},""" +
            """{"id":"qwen3-coder-flash","object":"model","created":1753142400,"owned_by":"qwen","context_length":262144},""" +
            """{"id":"coder-model","object":"model","created":1753142400,"owned_by":"qwen"},""" +
            """{"id":"vision-model","object":"model","created":1753142400,"owned_by":"qwen"},""" +
            """{"id":"gpt-4o","object":"model","created":1753142400,"owned_by":"qwen-proxy","context_length":1048576,"root":"qwen3-coder-plus"}]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_known_model_by_id()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.GetAsync("/v1/models/qwen3-coder-flash");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"id":"qwen3-coder-flash","object":"model","created":1753142400,"owned_by":"qwen","context_length":262144}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_id_with_a_slash_is_found()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?>
        {
            ["UPSTREAM_BASE_URL"] = "https://openrouter.example/api/v1",
            ["DEFAULT_MODEL"] = "qwen/qwen3-coder",
        });

        using var response = await proxy.Client.GetAsync("/v1/models/qwen/qwen3-coder");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"id":"qwen/qwen3-coder","object":"model","created":1753142400,"owned_by":"upstream"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_id_is_404_model_not_found()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.GetAsync("/v1/models/gpt-5-turbo");

        var error = await Envelope.ReadAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(new Envelope.Error("The model 'gpt-5-turbo' does not exist.", "invalid_request_error", "model", "model_not_found"), error);
    }
}
