using Proxy.Web.Errors;

namespace Proxy.Web.Requests;

/// <summary>Answers 503 until an upstream handler is registered.</summary>
internal sealed class UnavailableChatCompletionsHandler : IChatCompletionsHandler
{
    public async Task HandleAsync(HttpContext context, ChatRequest request, CancellationToken cancellationToken) =>
        await OpenAiError.WriteAsync(
            context,
            StatusCodes.Status503ServiceUnavailable,
            ErrorTypes.ServiceUnavailable,
            "No upstream is available to serve completions.",
            "upstream_unavailable");
}
