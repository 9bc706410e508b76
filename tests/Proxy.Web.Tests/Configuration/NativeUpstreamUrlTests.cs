namespace Proxy.Web.Tests.Configuration;

public sealed class NativeUpstreamUrlTests
{
    [Fact]
    public void Native_protocol_urls_are_read_and_absent_by_default()
    {
        var o = Config.Parse(
            ("UPSTREAM_RESPONSES_URL", "https://dashscope-intl.aliyuncs.com/api/v2/apps/protocols/compatible-mode/v1/responses"),
            ("UPSTREAM_MESSAGES_URL", "https://dashscope-intl.aliyuncs.com/apps/anthropic/v1/messages"));

        Assert.Equal(new Uri("https://dashscope-intl.aliyuncs.com/api/v2/apps/protocols/compatible-mode/v1/responses"), o.UpstreamResponsesUrl);
        Assert.Equal(new Uri("https://dashscope-intl.aliyuncs.com/apps/anthropic/v1/messages"), o.UpstreamMessagesUrl);
        Assert.Null(Config.Parse().UpstreamResponsesUrl);
        Assert.Null(Config.Parse().UpstreamMessagesUrl);
    }

    [Theory]
    [InlineData("UPSTREAM_RESPONSES_URL")]
    [InlineData("UPSTREAM_MESSAGES_URL")]
    public void A_native_url_that_is_not_http_stops_start_up_naming_the_variable(string variable)
    {
        Assert.Equal(
            $"Invalid configuration: {variable} must be an absolute http:// or https:// URL, got 'responses'.",
            Config.Error((variable, "responses")).Message);
    }
}
