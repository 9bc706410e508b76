namespace Proxy.Web.Protocols.Responses;

/// <summary>
/// What a Response object repeats of its request (OpenAI echoes the parameters it ran with),
/// rendered once per request as JSON members so each event copies them without work.
/// </summary>
/// <param name="Head"><c>"instructions":…,"max_output_tokens":…</c> (members before <c>model</c>).</param>
/// <param name="Model">The model as the client named it, escaped; null when it named none (the upstream's is used).</param>
/// <param name="Tail"><c>"parallel_tool_calls":…</c> through <c>"truncation":…</c> (members after <c>output</c>).</param>
/// <param name="End"><c>"user":…,"metadata":…</c> (members after <c>usage</c>).</param>
internal sealed record ResponsesEcho(byte[] Head, byte[]? Model, byte[] Tail, byte[] End)
{
    /// <summary>The echo of a request that set nothing.</summary>
    public static readonly ResponsesEcho Empty = new(
        "\"instructions\":null,\"max_output_tokens\":null"u8.ToArray(),
        null,
        "\"parallel_tool_calls\":true,\"previous_response_id\":null,\"reasoning\":null,\"store\":false,\"temperature\":null,\"text\":{\"format\":{\"type\":\"text\"}},\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":null,\"truncation\":\"disabled\""u8.ToArray(),
        "\"user\":null,\"metadata\":{}"u8.ToArray());
}
