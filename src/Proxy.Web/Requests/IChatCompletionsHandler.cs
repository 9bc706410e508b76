namespace Proxy.Web.Requests;

/// <summary>
/// Serves one validated chat request (from <c>/v1/chat/completions</c> or, translated,
/// <c>/v1/completions</c>): writes the whole response, JSON or event stream, or an error via
/// <see cref="Errors.FailureResponses"/>. Register one with ProxyHost's configureServices.
/// </summary>
internal interface IChatCompletionsHandler
{
    Task HandleAsync(HttpContext context, ChatRequest request, CancellationToken cancellationToken);
}
