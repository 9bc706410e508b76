using System.Net;
using System.Text;

namespace Proxy.Actors.Tests.Upstream;

/// <summary>An upstream without a server: records each request and answers from a script.</summary>
internal sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();

    public List<Recorded> Requests { get; } = [];

    public RecordingHandler Answer(HttpStatusCode status, string body = "", string contentType = "application/json")
    {
        _script.Enqueue((_, _) => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) }));
        return this;
    }

    public RecordingHandler Then(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        _script.Enqueue(answer);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        // Raw values, as written to the wire (no re-formatting by header parsers).
        var headers = request.Headers.NonValidated.Concat(request.Content?.Headers.NonValidated ?? default)
            .ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Requests.Add(new Recorded(request.Method, request.RequestUri!, headers, body));
        var answer = _script.Count > 0 ? _script.Dequeue() : (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        return await answer(request, cancellationToken);
    }

    internal sealed record Recorded(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, byte[] Body);
}
