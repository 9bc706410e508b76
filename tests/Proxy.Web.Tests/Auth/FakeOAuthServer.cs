using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Proxy.Web.Tests.Auth;

/// <summary>A scripted OAuth server behind an <see cref="HttpMessageHandler"/>: answers in order, records every request.</summary>
internal sealed class FakeOAuthServer : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<FakeRequest, HttpResponseMessage>> _answers = new();

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    public Uri BaseUrl { get; } = new("https://oauth.test");

    public HttpClient CreateClient() => new(this, disposeHandler: false);

    public FakeOAuthServer Reply(HttpStatusCode status, string json)
    {
        _answers.Enqueue(_ => Json(status, json));
        return this;
    }

    public FakeOAuthServer Reply(Func<FakeRequest, HttpResponseMessage> answer)
    {
        _answers.Enqueue(answer);
        return this;
    }

    public FakeOAuthServer FailNetwork()
    {
        _answers.Enqueue(_ => throw new HttpRequestException("Connection refused (oauth.test:443)"));
        return this;
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static string DeviceCodeJson(string deviceCode = "device-code-secret-1", string userCode = "ABCD-1234", int expiresIn = 900) =>
        $$"""{"device_code":"{{deviceCode}}","user_code":"{{userCode}}","verification_uri":"https://chat.qwen.ai/authorize","verification_uri_complete":"https://chat.qwen.ai/authorize?user_code={{userCode}}","expires_in":{{expiresIn}}}""";

    public static string TokenJson(string access, string? refresh, int expiresIn = 3600, string? resourceUrl = "portal.qwen.ai")
    {
        var refreshPart = refresh is null ? string.Empty : $",\"refresh_token\":\"{refresh}\"";
        var resourcePart = resourceUrl is null ? string.Empty : $",\"resource_url\":\"{resourceUrl}\"";
        return $"{{\"access_token\":\"{access}\",\"token_type\":\"Bearer\",\"expires_in\":{expiresIn}{refreshPart}{resourcePart}}}";
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p.Length > 1 ? p[1] : string.Empty));
        var recorded = new FakeRequest(request.RequestUri!.AbsolutePath, form, request.Headers.Accept.ToString());
        Requests.Enqueue(recorded);
        if (!_answers.TryDequeue(out var answer))
        {
            throw new InvalidOperationException($"No scripted answer left for {recorded.Path}.");
        }

        return answer(recorded);
    }
}

internal sealed record FakeRequest(string Path, IReadOnlyDictionary<string, string> Form, string Accept);
