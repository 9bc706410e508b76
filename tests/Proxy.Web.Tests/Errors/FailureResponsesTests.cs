using Microsoft.AspNetCore.Http;
using Proxy.Actors.Resilience;
using Proxy.Web.Auth;
using Proxy.Web.Errors;

namespace Proxy.Web.Tests.Errors;

public sealed class FailureResponsesTests
{
    private static DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1", 8143);
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static (int Status, Envelope.Error Error, string? RetryAfter) Written(DefaultHttpContext context)
    {
        context.Response.Body.Position = 0;
        var body = new StreamReader(context.Response.Body).ReadToEnd();
        var retryAfter = context.Response.Headers.RetryAfter.Count == 0 ? null : context.Response.Headers.RetryAfter.ToString();
        return (context.Response.StatusCode, Envelope.Parse(body), retryAfter);
    }

    [Theory]
    [InlineData(FailureKind.UpstreamUnreachable, 502, "upstream_error", null, "The upstream API could not be reached.", null)]
    [InlineData(FailureKind.UpstreamServerError, 502, "upstream_error", null, "The upstream API failed with HTTP 503.", null)]
    [InlineData(FailureKind.UpstreamTimeout, 504, "upstream_timeout", "upstream_timeout", "The upstream API did not answer in time.", null)]
    [InlineData(FailureKind.StreamStalled, 504, "upstream_timeout", "stream_stalled", "The upstream stream went silent for too long.", null)]
    [InlineData(FailureKind.StreamInterrupted, 502, "upstream_error", "stream_interrupted", "The upstream stream broke before it completed.", null)]
    [InlineData(FailureKind.RateLimited, 429, "rate_limit_error", "rate_limit_exceeded", "The upstream API is rate limiting requests; retry later.", "1")]
    [InlineData(FailureKind.QuotaExhausted, 429, "insufficient_quota", "insufficient_quota", "The upstream account's quota is exhausted.", null)]
    [InlineData(FailureKind.CircuitOpen, 503, "circuit_open", "circuit_open", "The upstream is failing; requests are paused for a moment.", "1")]
    [InlineData(FailureKind.ShuttingDown, 503, "service_unavailable", "shutting_down", "The proxy is shutting down; retry shortly.", "1")]
    [InlineData(FailureKind.UpstreamClientError, 503, "invalid_request_error", null, "The upstream API rejected the request with HTTP 503.", null)]
    public async Task Each_failure_kind_has_its_status_type_and_message(FailureKind kind, int status, string type, string? code, string message, string? retryAfter)
    {
        var context = Context();

        Assert.True(await FailureResponses.WriteAsync(context, kind, upstreamStatus: 503));

        var expectedStatus = kind == FailureKind.UpstreamClientError ? 400 : status;
        Assert.Equal((expectedStatus, new Envelope.Error(message, type, null, code), retryAfter), Written(context));
    }

    [Fact]
    public async Task Upstream_client_errors_keep_the_upstream_status_and_message()
    {
        var context = Context();

        await FailureResponses.WriteAsync(context, UpstreamResult.Fail(FailureKind.UpstreamClientError, 422, "max_tokens is too large", "invalid_value"));

        Assert.Equal((422, new Envelope.Error("max_tokens is too large", "invalid_request_error", null, "invalid_value"), (string?)null), Written(context));
    }

    [Fact]
    public async Task Circuit_open_and_rate_limits_carry_the_given_retry_after_rounded_up()
    {
        var context = Context();

        await FailureResponses.WriteAsync(context, FailureKind.CircuitOpen, retryAfter: TimeSpan.FromSeconds(12.2));

        Assert.Equal("13", Written(context).RetryAfter);
    }

    [Fact]
    public async Task Auth_required_carries_the_login_url()
    {
        var context = Context();

        await FailureResponses.WriteAsync(context, FailureKind.AuthRequired);

        var (status, error, _) = Written(context);
        Assert.Equal(503, status);
        Assert.Equal(new Envelope.Error(
            $"No usable upstream credential; a login is required. Log in at http://127.0.0.1:8143/auth or run {LoginAdvice.Command}.",
            "auth_required", null, "login_required"), error);
    }

    [Fact]
    public async Task A_canceled_client_gets_nothing_and_is_logged_as_499()
    {
        var context = Context();

        Assert.False(await FailureResponses.WriteAsync(context, FailureKind.ClientCanceled));

        Assert.Equal(499, context.Response.StatusCode);
        Assert.Equal(0, context.Response.Body.Length);
    }

    [Fact]
    public void The_stream_error_event_uses_the_same_mapping()
    {
        var sse = Encoding.UTF8.GetString(FailureResponses.ToSseEvent(Context(), FailureKind.StreamStalled));

        Assert.Equal("data: {\"error\":{\"message\":\"The upstream stream went silent for too long.\",\"type\":\"upstream_timeout\",\"param\":null,\"code\":\"stream_stalled\"}}\n\n", sse);
    }
}
