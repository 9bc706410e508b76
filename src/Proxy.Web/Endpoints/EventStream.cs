using Microsoft.AspNetCore.Http.Features;

namespace Proxy.Web.Endpoints;

/// <summary>The response headers every event stream to a client carries.</summary>
internal static class EventStream
{
    public const string ContentType = "text/event-stream";

    /// <summary>
    /// Sets <c>Content-Type: text/event-stream</c>, <c>Cache-Control: no-cache</c> and
    /// <c>X-Accel-Buffering: no</c>, and turns off response buffering, before the first write.
    /// </summary>
    public static void Prepare(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }
}
