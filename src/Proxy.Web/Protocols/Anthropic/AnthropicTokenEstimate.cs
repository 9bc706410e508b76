namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// The local estimate of a prompt's size in tokens, used by <c>/v1/messages/count_tokens</c> on a
/// translated path and by <c>message_start</c> before the upstream has reported usage. It is an
/// estimate, not the upstream tokenizer: one token per four bytes of the translated chat request
/// (messages, system prompt, tools and their schemas, JSON punctuation included), rounded up, with
/// image data left out and each image counted as <see cref="TokensPerImage"/> tokens.
/// </summary>
internal static class AnthropicTokenEstimate
{
    /// <summary>Tokens counted for one image whatever its size (about a 1.2 megapixel image).</summary>
    public const int TokensPerImage = 1_600;

    /// <summary>Bytes of JSON counted as one token.</summary>
    public const int BytesPerToken = 4;

    public static int Estimate(long textBytes, int images) =>
        (int)Math.Min(int.MaxValue, ((textBytes + BytesPerToken - 1) / BytesPerToken) + ((long)images * TokensPerImage));
}
