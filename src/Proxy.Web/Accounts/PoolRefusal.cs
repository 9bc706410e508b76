namespace Proxy.Web.Accounts;

/// <summary>
/// Why no account can take a request, as the client's answer (OpenAI's envelope): every account
/// cooling down is 429 with <c>Retry-After</c> at the earliest recovery; breakers open, 503
/// <c>circuit_open</c>; dead keys, 503 naming each account's state (never login advice).
/// </summary>
internal sealed record PoolRefusal(int Status, string Type, string Code, string Message, TimeSpan? RetryAfter);
