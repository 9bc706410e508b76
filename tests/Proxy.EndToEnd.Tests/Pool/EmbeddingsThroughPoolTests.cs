using System.Net;
using System.Text;

namespace Proxy.EndToEnd.Tests.Pool;

/// <summary><c>/v1/embeddings</c> goes through the account pool like chat: its accounts' <c>embeddings_url</c> when any names one, failover before the answer.</summary>
public sealed class EmbeddingsThroughPoolTests
{
    private const string Body = """{"model":"text-embedding-v4","input":["first"]}""";

    private static async Task<(HttpStatusCode Status, string Text)> PostAsync(PoolGateway gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        using var response = await gateway.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_an_embeddings_url_the_pools_accounts_take_turns_at_their_api_base()
    {
        await using var gateway = await PoolGateway.StartAsync([("a", null), ("b", null)], "\"strategy\":\"round-robin\",");

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(gateway)).Status);
        }

        Assert.All(gateway.Emulators, e => Assert.Equal(["/v1/embeddings", "/v1/embeddings"], e.State.Requests.Select(r => r.Path)));
        Assert.Equal("Bearer " + PoolGateway.KeyOf(1), gateway.Emulators[1].State.Requests[0].Headers["Authorization"]);
    }

    [Fact]
    public async Task When_an_account_names_an_embeddings_url_only_such_accounts_get_embeddings()
    {
        await using var gateway = await PoolGateway.StartAsync(
            [("coding", null), ("embedder", null)],
            file: "\"strategy\":\"fill-first\",",
            fields: (i, emulator) => i == 1 ? $",\"embeddings_url\":\"{new Uri(emulator, "/v1/embeddings")}\"" : string.Empty);

        var (status, text) = await PostAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"embedding\"", text, StringComparison.Ordinal);
        Assert.Empty(gateway.Emulators[0].State.Requests);
        var record = Assert.Single(gateway.Emulators[1].State.Requests);
        Assert.Equal(Body, record.BodyText);
    }

    [Fact]
    public async Task An_embeddings_call_that_fails_before_the_answer_moves_to_the_next_account()
    {
        await using var gateway = await PoolGateway.StartAsync([("first", "503"), ("second", null)], "\"strategy\":\"fill-first\",");

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(gateway)).Status);

        Assert.NotEmpty(gateway.Emulators[0].State.Requests);
        Assert.Single(gateway.Emulators[1].State.Requests);
        Assert.Contains("Request moves from account first to second after ", gateway.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_every_account_rests_the_answer_is_the_pools_429()
    {
        await using var gateway = await PoolGateway.StartAsync(
            [("a", "429"), ("b", "429")],
            environment: new Dictionary<string, string?> { ["ACCOUNT_COOLDOWN"] = "120s" });

        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostAsync(gateway)).Status);
        var (status, text) = await PostAsync(gateway);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("\"code\":\"all_accounts_cooling_down\"", text, StringComparison.Ordinal);
        Assert.Equal(2, gateway.Emulators.Sum(e => e.State.Requests.Count));
    }
}
