namespace Proxy.Web.Models;

/// <summary>One entry of <c>/v1/models</c>.</summary>
/// <param name="Id">The name clients send.</param>
/// <param name="OwnedBy">Who serves it.</param>
/// <param name="ContextLength">Context window in tokens, when known.</param>
/// <param name="Target">For an alias: the upstream model it maps to.</param>
internal sealed record ModelInfo(string Id, string OwnedBy, int? ContextLength, string? Target = null);
