namespace Proxy.Web.Errors;

/// <summary>The <c>type</c> values of the OpenAI error envelope this proxy uses.</summary>
internal static class ErrorTypes
{
    public const string InvalidRequest = "invalid_request_error";
    public const string Authentication = "authentication_error";
    public const string RateLimit = "rate_limit_error";
    public const string Upstream = "upstream_error";
    public const string UpstreamTimeout = "upstream_timeout";
    public const string AuthRequired = "auth_required";
    public const string CircuitOpen = "circuit_open";
    public const string ServiceUnavailable = "service_unavailable";
    public const string Server = "server_error";
}
