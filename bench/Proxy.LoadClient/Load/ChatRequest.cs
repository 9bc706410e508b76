using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Proxy.LoadClient.Load;

/// <summary>A prepared chat completion request: the body bytes and headers, built once and sent many times.</summary>
internal sealed class ChatRequest
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly byte[] _body;
    private readonly AuthenticationHeaderValue _auth;

    /// <param name="note">Appended to the message text (the soak marks a request's scenario there).</param>
    public ChatRequest(string model, bool stream, string apiKey, string? scenario, string? note = null)
    {
        Stream = stream;
        Scenario = scenario;
        var flag = stream ? "true" : "false";
        _body = Encoding.UTF8.GetBytes(
            $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Say hello.{{(note is null ? "" : " " + note)}}"}],"stream":{{flag}}}""");
        _auth = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public bool Stream { get; }

    public string? Scenario { get; }

    public HttpRequestMessage Create(Uri uri)
    {
        var content = new ByteArrayContent(_body);
        content.Headers.ContentType = Json;
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        message.Headers.Authorization = _auth;
        if (Scenario is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Emulator-Scenario", Scenario);
        }

        return message;
    }
}
