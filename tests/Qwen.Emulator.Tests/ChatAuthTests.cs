using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

public sealed class ChatAuthTests
{
    private const string ExpiredBody =
        """{"error":{"message":"invalid access token or token expired","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""";

    [Fact]
    public async Task Access_token_past_its_lifetime_gets_401_with_Qwens_wording()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var token = emulator.State.IssueToken(TimeSpan.FromMinutes(10));

        emulator.Clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        var (before, _) = await emulator.ChatAsync("{}", bearer: token.AccessToken);
        emulator.Clock.Advance(TimeSpan.FromSeconds(1));
        var (after, body) = await emulator.ChatAsync("{}", bearer: token.AccessToken);

        Assert.Equal(200, (int)before.StatusCode);
        Assert.Equal(401, (int)after.StatusCode);
        Assert.Equal(ExpiredBody, body);
        Assert.Equal("application/json", after.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TestEmulator.Epoch + TimeSpan.FromMinutes(10), token.ExpiresAt);
    }

    [Fact]
    public async Task Expiring_all_access_tokens_makes_current_ones_401_but_not_later_ones()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var old = emulator.State.IssueToken();

        emulator.State.ExpireAccessTokens();
        var fresh = emulator.State.IssueToken();
        var (oldResponse, oldBody) = await emulator.ChatAsync("{}", bearer: old.AccessToken);
        var (freshResponse, _) = await emulator.ChatAsync("{}", bearer: fresh.AccessToken);

        Assert.Equal(401, (int)oldResponse.StatusCode);
        Assert.Equal(ExpiredBody, oldBody);
        Assert.Equal(200, (int)freshResponse.StatusCode);
    }

    [Fact]
    public async Task Expire_endpoint_expires_access_tokens()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var token = emulator.State.IssueToken();

        Assert.Equal(200, await OAuthClient.PostAsync(emulator, "/emulator/tokens/expire"));
        var (response, _) = await emulator.ChatAsync("{}", bearer: token.AccessToken);

        Assert.Equal(401, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData(null)]
    public async Task Unknown_or_missing_bearer_gets_401(string? bearer)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (response, body) = await emulator.ChatAsync("{}", bearer: bearer);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal(ExpiredBody, body);
        Assert.Equal(1, emulator.State.ChatRequestCount);
        Assert.Equal(401, emulator.State.Requests.Single().StatusCode);
    }

    [Fact]
    public async Task Configured_api_key_is_accepted_as_bearer_and_never_expires()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.ApiKeys.Add("second-key"));
        emulator.Clock.Advance(TimeSpan.FromDays(365));
        emulator.State.ExpireAccessTokens();

        var (first, _) = await emulator.ChatAsync("{}", bearer: TestEmulator.ApiKey);
        var (second, _) = await emulator.ChatAsync("{}", bearer: "second-key");

        Assert.Equal((200, 200), ((int)first.StatusCode, (int)second.StatusCode));
    }
}
