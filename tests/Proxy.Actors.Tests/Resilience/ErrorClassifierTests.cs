using System.Net;
using System.Net.Sockets;
using System.Text;
using Polly.Timeout;
using Proxy.Actors.Auth;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Tests.Resilience;

public sealed class ErrorClassifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(500, "", FailureKind.UpstreamServerError)]
    [InlineData(502, "<html>bad gateway</html>", FailureKind.UpstreamServerError)]
    [InlineData(503, """{"error":{"message":"overloaded","type":"server_error"}}""", FailureKind.UpstreamServerError)]
    [InlineData(504, "", FailureKind.UpstreamServerError)]
    [InlineData(401, """{"error":{"message":"invalid access token or token expired","code":"invalid_api_key"}}""", FailureKind.Unauthorized)]
    [InlineData(401, "", FailureKind.Unauthorized)]
    [InlineData(429, """{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}""", FailureKind.QuotaExhausted)]
    [InlineData(429, """{"error":{"message":"limit hit","code":"quota_exceeded"}}""", FailureKind.QuotaExhausted)]
    [InlineData(429, """{"error":{"message":"free allocated quota exceeded."}}""", FailureKind.QuotaExhausted)]
    [InlineData(429, """{"code":"Throttling.AllocationQuota","message":"Allocated quota exceeded, please increase your quota limit."}""", FailureKind.QuotaExhausted)]
    [InlineData(429, "quota reached", FailureKind.QuotaExhausted)]
    [InlineData(403, """{"error":{"message":"free allocated quota exceeded"}}""", FailureKind.QuotaExhausted)]
    [InlineData(429, """{"error":{"message":"Too many requests","type":"rate_limit_error"}}""", FailureKind.RateLimited)]
    [InlineData(429, "", FailureKind.RateLimited)]
    [InlineData(403, """{"error":{"message":"access denied"}}""", FailureKind.UpstreamClientError)]
    [InlineData(400, """{"error":{"message":"Range of input length should be [1, 1000000]","type":"invalid_request_error"}}""", FailureKind.UpstreamClientError)]
    [InlineData(404, "not found", FailureKind.UpstreamClientError)]
    [InlineData(413, "", FailureKind.UpstreamClientError)]
    [InlineData(422, """{"detail":"bad"}""", FailureKind.UpstreamClientError)]
    [InlineData(302, "", FailureKind.UpstreamServerError)]
    public void Status_and_body_map_to_exactly_one_kind(int status, string body, FailureKind expected)
    {
        var result = ErrorClassifier.Classify(status, null, body, Now);

        Assert.Equal(expected, result.Failure);
        Assert.Equal(status, result.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
    }

    [Fact]
    public async Task A_success_status_keeps_the_response_unread()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("data: x") };

        using var result = await ErrorClassifier.ClassifyAsync(response, Now, null, CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.Same(response, result.Response);
        Assert.Equal(200, result.StatusCode);
    }

    [Fact]
    public async Task Client_errors_relay_the_upstream_status_and_message_from_its_envelope()
    {
        var response = Response(HttpStatusCode.BadRequest, """{"error":{"message":"model 'x' not found","type":"invalid_request_error","code":"model_not_found"}}""");

        using var result = await ErrorClassifier.ClassifyAsync(response, Now, null, CancellationToken.None);

        Assert.Equal(FailureKind.UpstreamClientError, result.Failure);
        Assert.Equal(400, result.StatusCode);
        Assert.Equal("model 'x' not found", result.Message);
        Assert.Equal("model_not_found", result.Code);
        Assert.Equal(400, result.Failure.ToStatusCode(result.StatusCode));
    }

    [Fact]
    public async Task Dashscope_native_envelope_gives_its_message_and_code()
    {
        var response = Response(HttpStatusCode.BadRequest, """{"code":"InvalidParameter","message":"Input should be a valid list","request_id":"abc"}""");

        using var result = await ErrorClassifier.ClassifyAsync(response, Now, null, CancellationToken.None);

        Assert.Equal(FailureKind.UpstreamClientError, result.Failure);
        Assert.Equal("Input should be a valid list", result.Message);
        Assert.Equal("InvalidParameter", result.Code);
    }

    [Fact]
    public async Task Rate_limit_gives_retry_after_in_seconds()
    {
        var response = Response(HttpStatusCode.TooManyRequests, "{}");
        response.Headers.Add("Retry-After", "12");

        using var result = await ErrorClassifier.ClassifyAsync(response, Now, null, CancellationToken.None);

        Assert.Equal(FailureKind.RateLimited, result.Failure);
        Assert.Equal(TimeSpan.FromSeconds(12), result.RetryAfter);
    }

    [Fact]
    public async Task Rate_limit_gives_retry_after_as_an_http_date()
    {
        var response = Response(HttpStatusCode.TooManyRequests, "");
        response.Headers.Add("Retry-After", Now.AddSeconds(90).ToString("R"));

        using var result = await ErrorClassifier.ClassifyAsync(response, Now, null, CancellationToken.None);

        Assert.Equal(FailureKind.RateLimited, result.Failure);
        Assert.Equal(TimeSpan.FromSeconds(90), result.RetryAfter);
    }

    [Fact]
    public async Task Quota_reset_time_from_the_body_becomes_retry_after()
    {
        var resetAt = Now.AddMinutes(42).ToUnixTimeSeconds();
        var response = Response(HttpStatusCode.TooManyRequests, $$$"""{"error":{"message":"free allocated quota exceeded","code":"insufficient_quota","reset_at":{{{resetAt}}}}}""");

        using var result = await ErrorClassifier.ClassifyAsync(response, Now, null, CancellationToken.None);

        Assert.Equal(FailureKind.QuotaExhausted, result.Failure);
        Assert.Equal("insufficient_quota", result.Code);
        Assert.Equal(TimeSpan.FromMinutes(42), result.RetryAfter);
    }

    [Fact]
    public async Task Quota_reset_time_from_the_header_wins()
    {
        var response = Response(HttpStatusCode.TooManyRequests, """{"error":{"code":"quota_exceeded"}}""");
        response.Headers.Add("X-RateLimit-Reset", Now.AddHours(2).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var result = await ErrorClassifier.ClassifyAsync(response, Now, null, CancellationToken.None);

        Assert.Equal(FailureKind.QuotaExhausted, result.Failure);
        Assert.Equal(TimeSpan.FromHours(2), result.RetryAfter);
    }

    [Fact]
    public async Task Quota_without_a_reset_time_has_no_retry_after()
    {
        using var result = await ErrorClassifier.ClassifyAsync(
            Response(HttpStatusCode.TooManyRequests, """{"error":{"message":"free allocated quota exceeded"}}"""), Now, null, CancellationToken.None);

        Assert.Equal(FailureKind.QuotaExhausted, result.Failure);
        Assert.Null(result.RetryAfter);
    }

    [Fact]
    public async Task Messages_never_carry_the_credential_or_a_bearer_token()
    {
        const string secret = "sk-live-0123456789abcdef";
        var response = Response(HttpStatusCode.BadRequest, $$$"""{"error":{"message":"key {{{secret}}} invalid; header was Bearer abc.def-ghi"}}""");

        using var result = await ErrorClassifier.ClassifyAsync(response, Now, secret, CancellationToken.None);

        Assert.Equal("key *** invalid; header was Bearer ***", result.Message);
    }

    [Fact]
    public async Task Only_the_first_kilobytes_of_an_error_body_are_read()
    {
        var body = "{\"error\":{\"message\":\"" + new string('x', 100_000) + "\"}}";
        var response = Response(HttpStatusCode.BadRequest, body);

        using var result = await ErrorClassifier.ClassifyAsync(response, Now, null, CancellationToken.None);

        Assert.Equal(FailureKind.UpstreamClientError, result.Failure);
        Assert.Equal(ErrorClassifier.MaxMessageLength + 1, result.Message!.Length);
    }

    public static TheoryData<Exception, FailureKind> Exceptions => new()
    {
        { new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)), FailureKind.UpstreamUnreachable },
        { new HttpRequestException(HttpRequestError.NameResolutionError, "dns"), FailureKind.UpstreamUnreachable },
        { new HttpRequestException(HttpRequestError.ResponseEnded, "reset"), FailureKind.UpstreamUnreachable },
        { new HttpRequestException("failed", new IOException("reset by peer")), FailureKind.UpstreamUnreachable },
        { new IOException("reset by peer"), FailureKind.UpstreamUnreachable },
        { new SocketException((int)SocketError.ConnectionReset), FailureKind.UpstreamUnreachable },
        { new TaskCanceledException("timed out", new TimeoutException()), FailureKind.UpstreamTimeout },
        { new OperationCanceledException(), FailureKind.UpstreamTimeout },
        { new TimeoutRejectedException(), FailureKind.UpstreamTimeout },
        { new TimeoutException(), FailureKind.UpstreamTimeout },
        { new HttpRequestException("connect", new TimeoutException()), FailureKind.UpstreamTimeout },
        { new AuthRequiredException(), FailureKind.AuthRequired },
        { new InvalidOperationException("bug"), FailureKind.UpstreamServerError },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Exceptions_map_to_exactly_one_kind(Exception exception, FailureKind expected)
    {
        var result = ErrorClassifier.Classify(exception, CancellationToken.None);

        Assert.Equal(expected, result.Failure);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
    }

    [Fact]
    public void Cancellation_asked_for_by_the_client_is_client_canceled()
    {
        using var client = new CancellationTokenSource();
        client.Cancel();

        var result = ErrorClassifier.Classify(new TaskCanceledException(), client.Token);

        Assert.Equal(FailureKind.ClientCanceled, result.Failure);
        Assert.Equal(499, result.StatusCode);
    }

    private static HttpResponseMessage Response(HttpStatusCode status, string body) =>
        new(status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
}
