using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

public sealed class ControlEndpointTests
{
    [Fact]
    public async Task Stats_report_every_counter()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var token = emulator.State.IssueToken();
        await OAuthClient.DeviceCodeAsync(emulator, OAuthClient.NewPkce().Challenge);
        await OAuthClient.RefreshAsync(emulator, token.RefreshToken);
        await emulator.ChatAsync("{}");
        await emulator.ChatAsync("{}");

        var stats = JsonDocument.Parse(await emulator.Client.GetStringAsync("/emulator/stats", emulator.Ct)).RootElement;

        Assert.Equal(
            """{"refresh_count":1,"login_count":0,"chat_request_count":2,"device_code_count":1,"active_chat_requests":0}""",
            stats.GetRawText());
    }

    [Fact]
    public async Task Requests_record_the_exact_body_and_headers()
    {
        await using var emulator = await TestEmulator.StartAsync();
        const string body = """{"model":"m","temperature":0,"unknown_field":[1,{"x":"é"}]}""";
        using var request = TestEmulator.ChatRequest(body, scenario: "chunks=1");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("QwenCode", "0.0.9"));
        request.Headers.Add("X-DashScope-AuthType", "qwen-oauth");

        using var response = await emulator.Client.SendAsync(request, emulator.Ct);

        var record = Assert.Single(emulator.State.Requests);
        Assert.Equal(Encoding.UTF8.GetBytes(body), record.Body);
        Assert.Equal(body, record.BodyText);
        Assert.Equal("QwenCode/0.0.9", record.Headers["user-agent"]);
        Assert.Equal("qwen-oauth", record.Headers["X-DashScope-AuthType"]);
        Assert.Equal($"Bearer {TestEmulator.ApiKey}", record.Headers["Authorization"]);
        Assert.Equal("chunks=1", record.Scenario);
        Assert.Equal((1, "/v1/chat/completions", 200), (record.Id, record.Path, record.StatusCode));

        var listed = JsonDocument.Parse(await emulator.Client.GetStringAsync("/emulator/requests", emulator.Ct)).RootElement;
        var entry = Assert.Single(listed.EnumerateArray());
        Assert.Equal(body, entry.GetProperty("body").GetString());
        Assert.Equal("qwen-oauth", entry.GetProperty("headers").GetProperty("X-DashScope-AuthType").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.False(entry.GetProperty("cancelled").GetBoolean());
    }

    [Fact]
    public async Task Reset_zeroes_counters_and_forgets_requests_but_keeps_tokens()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var token = emulator.State.IssueToken();
        await emulator.ChatAsync("{}", bearer: token.AccessToken);

        Assert.Equal(200, await OAuthClient.PostAsync(emulator, "/emulator/reset"));
        var (response, text) = await emulator.ChatAsync("{}", bearer: token.AccessToken);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("chatcmpl-emu-1", JsonDocument.Parse(text).RootElement.GetProperty("id").GetString());
        Assert.Equal(1, emulator.State.ChatRequestCount);
        Assert.Equal(1, Assert.Single(emulator.State.Requests).Id);
    }

    [Fact]
    public async Task Issue_endpoint_mints_a_working_token_with_its_expiry_in_milliseconds()
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await emulator.Client.PostAsync("/emulator/tokens/issue?lifetime=120", null, emulator.Ct);
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync(emulator.Ct)).RootElement;
        var (chat, _) = await emulator.ChatAsync("{}", bearer: token.GetProperty("access_token").GetString());

        Assert.Equal(200, (int)chat.StatusCode);
        Assert.Equal(120, token.GetProperty("expires_in").GetInt32());
        Assert.Equal((TestEmulator.Epoch + TimeSpan.FromSeconds(120)).ToUnixTimeMilliseconds(), token.GetProperty("expiry_date").GetInt64());
        Assert.Equal($"127.0.0.1:{emulator.Host.BaseUrl.Port}", token.GetProperty("resource_url").GetString());
        Assert.Equal(0, emulator.State.LoginCount);
    }

    [Fact]
    public async Task Pending_endpoint_lists_user_codes_and_the_authorize_page_offers_both_choices()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var (_, code) = await OAuthClient.DeviceCodeAsync(emulator, OAuthClient.NewPkce().Challenge);
        var userCode = code.GetProperty("user_code").GetString()!;

        var pending = JsonDocument.Parse(await emulator.Client.GetStringAsync("/emulator/device/pending", emulator.Ct)).RootElement;
        var page = await emulator.Client.GetStringAsync(code.GetProperty("verification_uri_complete").GetString(), emulator.Ct);

        Assert.Equal([userCode], pending.GetProperty("user_codes").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains($"action=\"/emulator/device/approve?user_code={userCode}\"", page);
        Assert.Contains($"action=\"/emulator/device/deny?user_code={userCode}\"", page);
    }

    [Fact]
    public async Task Waiting_for_a_request_returns_it_once_it_arrives()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var waiting = emulator.State.WaitForRequestAsync(2, emulator.Ct);

        await emulator.ChatAsync("{}");
        Assert.False(waiting.IsCompleted);
        await emulator.ChatAsync("""{"n":2}""");

        Assert.Equal("""{"n":2}""", (await waiting).BodyText);
    }

    [Fact]
    public async Task Request_log_keeps_only_the_latest_requests()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.MaxRecordedRequests = 2);

        for (var i = 1; i <= 3; i++)
        {
            await emulator.ChatAsync($$"""{"n":{{i}}}""");
        }

        Assert.Equal([2L, 3L], emulator.State.Requests.Select(r => r.Id));
        Assert.Equal(3, emulator.State.ChatRequestCount);
    }

    [Fact]
    public async Task Bad_scenario_header_is_400_naming_the_problem()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (response, body) = await emulator.ChatAsync("{}", "chunks=2;wobble=3");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(
            """{"error":{"message":"bad X-Emulator-Scenario: unknown scenario key 'wobble'","type":"invalid_request_error","param":null,"code":"emulator_scenario"}}""",
            body);
    }
}
