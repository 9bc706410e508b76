using Proxy.Actors.Auth;

namespace Proxy.Actors.Tests.Auth;

public sealed class ApiKeyTokenSourceTests
{
    [Fact]
    public async Task Key_is_served_as_a_token_that_never_expires_for_the_given_base()
    {
        var source = new ApiKeyTokenSource(new Uri("https://dashscope.aliyuncs.com/compatible-mode/v1/"), "sk-secret-key-7777");

        var token = await source.GetTokenAsync(CancellationToken.None);

        Assert.Equal("sk-secret-key-7777", token.Value);
        Assert.Equal(DateTimeOffset.MaxValue, token.ExpiresAt);
        Assert.Equal("https://dashscope.aliyuncs.com/compatible-mode/v1", token.ApiBase.ToString());
    }

    [Fact]
    public async Task Rejected_key_needs_new_configuration_and_the_message_shows_only_its_hint()
    {
        var source = new ApiKeyTokenSource(new Uri("https://openrouter.ai/api/v1"), "sk-secret-key-7777");
        var token = await source.GetTokenAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<AuthRequiredException>(() => source.RenewAfterUnauthorizedAsync(token, CancellationToken.None).AsTask());

        Assert.Equal("The upstream at openrouter.ai rejected UPSTREAM_API_KEY (…7777); configure a valid key.", error.Message);
    }

    [Fact]
    public async Task A_replaced_key_is_served_from_then_on_and_offered_again_for_a_request_the_old_one_failed()
    {
        var source = new ApiKeyTokenSource(new Uri("https://openrouter.ai/api/v1"), "sk-old-key-1111");
        var old = await source.GetTokenAsync(CancellationToken.None);

        source.Replace("sk-new-key-2222");
        var renewed = await source.RenewAfterUnauthorizedAsync(old, CancellationToken.None);
        var next = await source.GetTokenAsync(CancellationToken.None);

        Assert.Equal("sk-new-key-2222", renewed.Value);
        Assert.Equal("sk-new-key-2222", next.Value);
        Assert.Equal(old.ApiBase, next.ApiBase);
        await Assert.ThrowsAsync<AuthRequiredException>(() => source.RenewAfterUnauthorizedAsync(next, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Cancelled_call_is_cancelled()
    {
        var source = new ApiKeyTokenSource(new Uri("https://openrouter.ai/api/v1"), "sk-key");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.GetTokenAsync(new CancellationToken(canceled: true)).AsTask());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Empty_key_is_refused(string key)
    {
        Assert.Throws<ArgumentException>(() => new ApiKeyTokenSource(new Uri("https://openrouter.ai/api/v1"), key));
    }
}
