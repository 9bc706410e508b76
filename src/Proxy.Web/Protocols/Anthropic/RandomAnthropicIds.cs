using System.Security.Cryptography;

namespace Proxy.Web.Protocols.Anthropic;

/// <summary>Ids shaped like Anthropic's: a prefix and 24 random base62 characters.</summary>
internal sealed class RandomAnthropicIds : IAnthropicIds
{
    public static readonly RandomAnthropicIds Instance = new();

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int RandomLength = 24;

    public string NewMessageId() => Create("msg_");

    public string NewToolUseId() => Create("toolu_");

    private static string Create(string prefix) =>
        string.Create(prefix.Length + RandomLength, prefix, static (span, prefix) =>
        {
            prefix.CopyTo(span);
            RandomNumberGenerator.GetItems(Alphabet, span[prefix.Length..]);
        });
}
