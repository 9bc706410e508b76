using System.Net;
using System.Text.Json;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Pool;

/// <summary>Several emulators, one per account, behind one proxy: rotation, failover, cooldowns, affinity, dead keys.</summary>
public sealed class AccountPoolThroughProxyTests
{
    private static readonly string Text = EmulatorText.ForScenario("chunks=3", 7);

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(PoolGateway gateway, bool stream, string extraFields = "", string? session = null, string content = "hi")
    {
        using var request = PoolGateway.Chat(stream, extraFields, content);
        if (session is not null)
        {
            request.Headers.Add("X-Session-Id", session);
        }

        using var response = await gateway.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string AnswerText(bool stream, string body) =>
        stream ? Sse.Text(body) : JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

    [Fact]
    public async Task Round_robin_gives_each_of_three_accounts_an_equal_share()
    {
        await using var gateway = await PoolGateway.StartAsync([("a", null), ("b", null), ("c", null)]);

        for (var i = 0; i < 30; i++)
        {
            var (status, body) = await SendAsync(gateway, stream: i % 2 == 0);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(Text, AnswerText(i % 2 == 0, body));
        }

        Assert.Equal([10, 10, 10], gateway.Counts);
    }

    /// <summary>
    /// The measurement the pool is built for: three accounts, one answering quota on every request,
    /// 1,000 requests (every other one streaming). Every answer is a 200, the quota account is tried
    /// once (then it rests for ACCOUNT_COOLDOWN), and the two healthy accounts share the rest within 10%.
    /// </summary>
    [Fact]
    public async Task With_one_account_out_of_quota_a_thousand_requests_all_succeed_and_the_two_others_share_them()
    {
        await using var gateway = await PoolGateway.StartAsync([("a", null), ("b", null), ("quota", "429_quota")], "\"strategy\":\"round-robin\",");
        var statuses = new Dictionary<HttpStatusCode, int>();

        for (var i = 0; i < 1000; i++)
        {
            var stream = i % 2 == 1;
            var (status, body) = await SendAsync(gateway, stream);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.Equal(Text, AnswerText(stream, body));
        }

        Assert.Equal(new Dictionary<HttpStatusCode, int> { [HttpStatusCode.OK] = 1000 }, statuses);

        // a: requests 0 and 2 (the quota account's one attempt moved on to it), then every other one.
        Assert.Equal([501, 499, 1], gateway.Counts);
        Assert.InRange(Math.Abs(gateway.Counts[0] - gateway.Counts[1]) / 500.0, 0, 0.10);
        Assert.Contains("Request moves from account quota to a after quota_exhausted before its first byte", gateway.LogText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500")]
    [InlineData("503")]
    [InlineData("429_quota")]
    [InlineData("401")]
    public async Task A_failure_before_the_first_byte_moves_to_the_next_account_with_no_client_error(string fault)
    {
        await using var gateway = await PoolGateway.StartAsync([("first", fault), ("second", null)], "\"strategy\":\"fill-first\",");

        for (var i = 0; i < 4; i++)
        {
            var stream = i % 2 == 0;
            var (status, body) = await SendAsync(gateway, stream);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(Text, AnswerText(stream, body));
        }

        // A 5xx is tried once per request (no retry in place with another account at hand); quota and a
        // rejected key take the account out after its first answer.
        var firstTries = fault.StartsWith('5') ? 4 : 1;
        Assert.Equal([firstTries, 4], gateway.Counts);
    }

    [Fact]
    public async Task Accounts_serve_only_their_models_and_their_aliases_rename_the_model_upstream()
    {
        await using var gateway = await PoolGateway.StartAsync(
            [("max-only", null), ("aliased", null)],
            "\"strategy\":\"fill-first\",",
            fields: (i, _) => i == 0 ? ",\"models\":[\"qwen3-max\"]" : ",\"models\":[\"qwen3-coder-plus\",{\"fast\":\"qwen3-coder-flash\"}]");

        async Task<HttpStatusCode> SendModelAsync(string model)
        {
            using var request = PoolGateway.Chat(stream: false, model: model);
            using var response = await gateway.Client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await SendModelAsync("fast"));
        Assert.Equal(HttpStatusCode.OK, await SendModelAsync("qwen3-max"));
        Assert.Equal(HttpStatusCode.BadRequest, await SendModelAsync("qwen3-vl"));

        Assert.Equal("""{"model":"qwen3-coder-flash","stream":false,"messages":[{"role":"user","content":"hi"}]}""", Assert.Single(gateway.Emulators[1].State.Requests).BodyText);
        Assert.Equal("""{"model":"qwen3-max","stream":false,"messages":[{"role":"user","content":"hi"}]}""", Assert.Single(gateway.Emulators[0].State.Requests).BodyText);
    }

    [Fact]
    public async Task An_unreachable_account_is_passed_over()
    {
        await using var gateway = await PoolGateway.StartAsync([("gone", null), ("here", null)], "\"strategy\":\"fill-first\",");
        await gateway.Emulators[0].DisposeAsync();

        var (status, body) = await SendAsync(gateway, stream: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Text, Sse.Text(body));
        Assert.Equal(1, gateway.Emulators[1].State.ChatRequestCount);
    }

    [Fact]
    public async Task When_every_account_cools_down_the_client_gets_429_with_the_earliest_recovery()
    {
        await using var gateway = await PoolGateway.StartAsync([("a", "429_quota"), ("b", "429_quota")], environment: new Dictionary<string, string?> { ["ACCOUNT_COOLDOWN"] = "120s" });

        using var first = PoolGateway.Chat(stream: true);
        using var response = await gateway.Client.SendAsync(first);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("120", response.Headers.GetValues("Retry-After").Single());
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal("all_accounts_cooling_down", error.GetProperty("code").GetString());
        Assert.StartsWith("Every upstream account is resting (a: cooling_down until ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal([1, 1], gateway.Counts);

        var (again, _) = await SendAsync(gateway, stream: false);
        Assert.Equal(HttpStatusCode.TooManyRequests, again);
        Assert.Equal([1, 1], gateway.Counts);

        using var ready = await gateway.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task Affinity_keeps_each_session_on_one_account()
    {
        await using var gateway = await PoolGateway.StartAsync([("a", null), ("b", null), ("c", null)], "\"affinity\":true,");
        var homes = new Dictionary<string, int>();

        foreach (var session in new[] { "s1", "s2", "s3", "s4", "s5", "s6" })
        {
            var before = gateway.Counts;
            for (var i = 0; i < 4; i++)
            {
                var (status, _) = await SendAsync(gateway, stream: i % 2 == 0, session: session);
                Assert.Equal(HttpStatusCode.OK, status);
            }

            var grew = gateway.Counts.Select((c, k) => c - before[k]).ToArray();
            homes[session] = Array.IndexOf(grew, 4);
            Assert.Equal(4, grew.Sum());
            Assert.Contains(4, grew);
        }

        // The same conversation without a header: its first messages are its key.
        var start = gateway.Counts;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(gateway, stream: false, content: "the same question")).Status);
        }

        Assert.Contains(3, gateway.Counts.Select((c, k) => c - start[k]));
        Assert.True(homes.Values.Distinct().Count() > 1, "six sessions all landed on one account");
    }

    [Fact]
    public async Task A_rejected_key_marks_its_account_dead_and_the_others_serve()
    {
        await using var gateway = await PoolGateway.StartAsync([("revoked", null), ("good", null)], wrongKey: [0]);

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(gateway, stream: i % 2 == 0)).Status);
        }

        // An API key cannot be renewed: one 401 is enough.
        Assert.Equal([1, 6], gateway.Counts);
        Assert.Single(gateway.LogText.Split('\n'), l => l.Contains("Account revoked is dead (invalid_api_key)", StringComparison.Ordinal));
        Assert.DoesNotContain("sk-revoked-0", gateway.LogText, StringComparison.Ordinal);

        using var health = await gateway.Client.GetAsync("/health/detailed");
        var text = await health.Content.ReadAsStringAsync();
        var pool = JsonDocument.Parse(text).RootElement.GetProperty("pool");
        Assert.Equal("dead", pool[0].GetProperty("state").GetString());
        Assert.Equal("invalid_api_key", pool[0].GetProperty("dead_reason").GetString());
        Assert.Equal("available", pool[1].GetProperty("state").GetString());
        Assert.Equal(6, pool[1].GetProperty("requests").GetInt64());
        Assert.Equal(1, pool[0].GetProperty("failures").GetProperty("auth_required").GetInt64());
        Assert.DoesNotContain("sk-revoked-0", text, StringComparison.Ordinal);
        Assert.DoesNotContain(PoolGateway.KeyOf(1), text, StringComparison.Ordinal);

        using var ready = await gateway.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        using var metrics = await gateway.Client.GetAsync("/metrics");
        var exposition = await metrics.Content.ReadAsStringAsync();
        var samples = Proxy.TestKit.PrometheusText.Parse(exposition);
        const string Scope = "otel_scope_name=\"Qwen.Proxy\"";
        Assert.Equal(1, samples[$"qwen_proxy_account_attempts_total{{{Scope},account=\"revoked\",outcome=\"auth_required\"}}"]);
        Assert.Equal(6, samples[$"qwen_proxy_account_attempts_total{{{Scope},account=\"good\",outcome=\"success\"}}"]);
        Assert.Equal(5, samples[$"qwen_proxy_account_state{{{Scope},account=\"revoked\"}}"]);
        Assert.Equal(0, samples[$"qwen_proxy_account_state{{{Scope},account=\"good\"}}"]);
        Assert.Equal(0, samples[$"qwen_proxy_account_in_flight{{{Scope},account=\"good\"}}"]);
    }

    [Fact]
    public async Task A_qwen_oauth_account_without_a_credential_is_passed_over_and_the_pool_is_ready()
    {
        var qwenDir = Path.Combine(Path.GetTempPath(), "proxy-pool-e2e-qwen-" + Guid.NewGuid().ToString("N"));
        await using var gateway = await PoolGateway.StartAsync(
            [("key", null)],
            "\"strategy\":\"fill-first\",",
            moreAccounts: $$"""{"name":"qwen","kind":"qwen-oauth","qwen_dir":"{{qwenDir}}"}""");

        using var ready = await gateway.Client.GetAsync("/health/ready");
        var (status, body) = await SendAsync(gateway, stream: true);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Text, Sse.Text(body));
        Assert.Equal([1], gateway.Counts);
        using var health = await gateway.Client.GetAsync("/health/detailed");
        var pool = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("pool");
        Assert.Equal(["auth_required", "available"], pool.EnumerateArray().Select(a => a.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task When_the_only_key_is_rejected_the_client_hears_the_accounts_state_not_login_advice()
    {
        await using var gateway = await PoolGateway.StartAsync([("only", null)], wrongKey: [0]);

        var (status, body) = await SendAsync(gateway, stream: true);
        var (again, secondBody) = await SendAsync(gateway, stream: false);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal("The upstream rejected the key of account 'only' (api_key); the account is marked dead (invalid_api_key) until its key is replaced in the accounts file.", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again);
        Assert.Equal(
            "No upstream account can serve: only: dead (invalid_api_key). Replace the rejected key in the accounts file; it is read again when it changes.",
            JsonDocument.Parse(secondBody).RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.DoesNotContain("/auth", body + secondBody, StringComparison.Ordinal);
        Assert.Equal([1], gateway.Counts);

        using var ready = await gateway.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task A_rejected_UPSTREAM_API_KEY_is_named_as_such_and_never_answered_with_login_advice()
    {
        await using var gateway = await Gateway.StartAsync("chunks=3", new Dictionary<string, string?> { ["UPSTREAM_API_KEY"] = "sk-wrong-key-0000" });

        using var first = Gateway.ChatRequest(stream: true);
        using var firstResponse = await gateway.Client.SendAsync(first);
        var firstBody = await firstResponse.Content.ReadAsStringAsync();
        using var second = Gateway.ChatRequest(stream: false);
        using var secondResponse = await gateway.Client.SendAsync(second);
        var secondBody = await secondResponse.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, firstResponse.StatusCode);
        Assert.Equal(
            "The upstream rejected the key of account 'qwen' (UPSTREAM_API_KEY); the account is marked dead (invalid_api_key) until its key is replaced and the proxy restarted.",
            JsonDocument.Parse(firstBody).RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, secondResponse.StatusCode);
        Assert.Equal(
            "No upstream account can serve: qwen: dead (invalid_api_key). Replace the rejected key (UPSTREAM_API_KEY) and restart the proxy.",
            JsonDocument.Parse(secondBody).RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.DoesNotContain("/auth", firstBody + secondBody, StringComparison.Ordinal);
        Assert.Equal(1, gateway.Emulator.State.ChatRequestCount);
        Assert.DoesNotContain("sk-wrong-key-0000", gateway.LogText, StringComparison.Ordinal);
    }
}
