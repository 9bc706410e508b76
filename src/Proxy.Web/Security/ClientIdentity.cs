namespace Proxy.Web.Security;

/// <summary>
/// The authenticated client of a request (a feature on the HttpContext): a stable, non-secret id
/// derived from the key's hash, e.g. <c>key:3fa9c2d1</c>.
/// </summary>
internal sealed record ClientIdentity(string Id);
