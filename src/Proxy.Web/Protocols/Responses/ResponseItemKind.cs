namespace Proxy.Web.Protocols.Responses;

/// <summary>The output items a translated Response can hold.</summary>
internal enum ResponseItemKind
{
    /// <summary>An assistant <c>message</c> with one <c>output_text</c> part.</summary>
    Message,

    /// <summary>A <c>function_call</c>.</summary>
    FunctionCall,

    /// <summary>A <c>reasoning</c> item with one <c>reasoning_text</c> part (Qwen's <c>reasoning_content</c>).</summary>
    Reasoning,
}
