namespace Proxy.Actors.Upstream;

/// <summary>
/// What one account's requests carry besides the proxy's own headers: whether Qwen Code's identity
/// (<c>User-Agent: QwenCode/…</c>, <c>X-DashScope-*</c>) goes with them, and the account's extra headers.
/// </summary>
/// <param name="QwenIdentity">True for Qwen OAuth and DashScope hosts; other upstreams get the proxy's own User-Agent.</param>
/// <param name="Extra">Sent with every request; names the proxy sets itself (<see cref="QwenHeaders.Reserved"/>) are ignored.</param>
internal sealed record AccountHeaders(bool QwenIdentity, IReadOnlyDictionary<string, string> Extra);
