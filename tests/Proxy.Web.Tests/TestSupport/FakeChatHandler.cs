using Microsoft.AspNetCore.Http;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.TestSupport;

/// <summary>Records what the endpoint handed over and answers with a delegate.</summary>
internal sealed class FakeChatHandler(Func<HttpContext, ChatRequest, Task>? respond = null) : IChatCompletionsHandler
{
    private readonly List<ChatRequest> _requests = [];

    public IReadOnlyList<ChatRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    public async Task HandleAsync(HttpContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }

        if (respond is not null)
        {
            await respond(context, request);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"ok":true}""", cancellationToken);
    }
}
