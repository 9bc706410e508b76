namespace Proxy.Web.Requests;

/// <summary>
/// A validated chat request: the body to send upstream (the client's bytes, with only the
/// <c>model</c> value changed when a mapping applies) and the few fields the proxy reads.
/// </summary>
internal sealed class ChatRequest
{
    /// <summary>The bytes to forward upstream.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The model as the client named it; null when it named none.</summary>
    public required string? RequestedModel { get; init; }

    /// <summary>The model the upstream will see (after aliases and defaults).</summary>
    public required string Model { get; init; }

    /// <summary><c>stream</c>.</summary>
    public required bool Stream { get; init; }

    /// <summary><c>stream_options.include_usage</c>.</summary>
    public required bool IncludeUsage { get; init; }

    /// <summary>True when <see cref="Body"/> differs from what the client sent.</summary>
    public required bool BodyRewritten { get; init; }

    /// <summary>The API the client used; legacy answers need translating.</summary>
    public CompletionApi Api { get; init; } = CompletionApi.Chat;

    /// <summary>How answers go back when the client spoke another protocol; null for chat completions.</summary>
    public Protocols.IClientProtocol? Protocol { get; init; }
}
