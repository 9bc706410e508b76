using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

public sealed class RefreshTests
{
    [Fact]
    public async Task Refresh_rotates_the_refresh_token_and_the_old_one_is_rejected()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var issued = emulator.State.IssueToken();

        var (status, fresh) = await OAuthClient.RefreshAsync(emulator, issued.RefreshToken);
        var (oldStatus, old) = await OAuthClient.RefreshAsync(emulator, issued.RefreshToken);
        var (newStatus, _) = await OAuthClient.RefreshAsync(emulator, fresh.GetProperty("refresh_token").GetString()!);

        Assert.Equal(200, status);
        Assert.NotEqual(issued.RefreshToken, fresh.GetProperty("refresh_token").GetString());
        Assert.NotEqual(issued.AccessToken, fresh.GetProperty("access_token").GetString());
        Assert.Equal("Bearer", fresh.GetProperty("token_type").GetString());
        Assert.Equal(3600, fresh.GetProperty("expires_in").GetInt32());
        Assert.Equal(issued.ResourceUrl, fresh.GetProperty("resource_url").GetString());
        Assert.Equal((400, "invalid_grant"), (oldStatus, OAuthClient.Error(old)));
        Assert.Equal(200, newStatus);
        Assert.Equal(3, emulator.State.RefreshCount);
        Assert.Equal(0, emulator.State.LoginCount);

        var (chat, _) = await emulator.ChatAsync("{}", bearer: fresh.GetProperty("access_token").GetString());
        Assert.Equal(200, (int)chat.StatusCode);
    }

    [Fact]
    public async Task Two_concurrent_refreshes_with_one_token_succeed_once()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var issued = emulator.State.IssueToken();

        var results = await Task.WhenAll(
            OAuthClient.RefreshAsync(emulator, issued.RefreshToken),
            OAuthClient.RefreshAsync(emulator, issued.RefreshToken));

        Assert.Equal([200, 400], results.Select(r => r.Status).Order());
    }

    [Fact]
    public async Task Without_rotation_the_answer_has_no_refresh_token_and_the_old_one_keeps_working()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.OmitRefreshTokenOnRefresh = true);
        var issued = emulator.State.IssueToken();

        var (first, json) = await OAuthClient.RefreshAsync(emulator, issued.RefreshToken);
        var (second, _) = await OAuthClient.RefreshAsync(emulator, issued.RefreshToken);

        Assert.Equal((200, 200), (first, second));
        Assert.False(json.TryGetProperty("refresh_token", out _));
        Assert.StartsWith("emu_at_", json.GetProperty("access_token").GetString());
    }

    [Fact]
    public async Task Revoked_refresh_tokens_are_invalid_grant()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var issued = emulator.State.IssueToken();

        Assert.Equal(200, await OAuthClient.PostAsync(emulator, "/emulator/tokens/revoke"));
        var (status, json) = await OAuthClient.RefreshAsync(emulator, issued.RefreshToken);

        Assert.Equal((400, "invalid_grant"), (status, OAuthClient.Error(json)));
        Assert.Equal(1, emulator.State.RefreshCount);
    }

    [Fact]
    public async Task Refresh_with_the_wrong_client_id_is_invalid_client()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var issued = emulator.State.IssueToken();

        var (status, json) = await OAuthClient.PostFormAsync(emulator, "/api/v1/oauth2/token", new()
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = "someone-else",
            ["refresh_token"] = issued.RefreshToken,
        });

        Assert.Equal((401, "invalid_client"), (status, OAuthClient.Error(json)));
        var (stillValid, _) = await OAuthClient.RefreshAsync(emulator, issued.RefreshToken);
        Assert.Equal(200, stillValid);
    }
}
