namespace Proxy.Web.Endpoints;

/// <summary>
/// A group of endpoints another part of the proxy contributes (e.g. the login page under
/// <c>/auth</c>): register it as a service and ProxyHost maps it after its own endpoints, behind
/// the same middleware (request id, client key, rate limit, error envelope).
/// </summary>
internal interface IEndpointModule
{
    void Map(IEndpointRouteBuilder endpoints);
}
