using System.IO.Pipelines;
using Microsoft.Net.Http.Headers;
using Proxy.Actors.Streaming;
using Proxy.Web.Logging;

namespace Proxy.Web.Gateway;

/// <summary>The client's HTTP response as a stream actor writes to it.</summary>
internal sealed class HttpClientStream(HttpContext context) : IClientStream
{
    public bool HasStarted { get; private set; }

    public PipeWriter Writer => context.Response.BodyWriter;

    public void Start()
    {
        if (HasStarted)
        {
            return;
        }

        HasStarted = true;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers[HeaderNames.CacheControl] = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IRequestLogFeature>()?.MarkFirstToken();
    }
}
