namespace Proxy.Web.Accounts;

/// <summary>
/// Session affinity: requests of one conversation go to one healthy account, so the upstream's
/// prompt cache keeps working. The key is, first found: the <see cref="Header"/> request header,
/// the body's <c>prompt_cache_key</c>, <c>user</c>, <c>metadata.user_id</c>, or a hash of the
/// first <see cref="HashedMessages"/> messages.
/// </summary>
internal sealed record AffinityOptions
{
    public const string DefaultHeader = "X-Session-Id";

    /// <summary>No affinity: every request goes by the strategy alone.</summary>
    public static readonly AffinityOptions Off = new() { Enabled = false };

    public bool Enabled { get; init; } = true;

    /// <summary>The request header that names the session.</summary>
    public string Header { get; init; } = DefaultHeader;

    /// <summary>How many leading messages identify a conversation when nothing else does; 0 turns the hash off.</summary>
    public int HashedMessages { get; init; } = 2;
}
