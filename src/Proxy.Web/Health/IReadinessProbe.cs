namespace Proxy.Web.Health;

/// <summary>
/// Answers <c>GET /health/ready</c>: is an upstream credential usable right now? Must answer from
/// state already known (a published snapshot); it never triggers a login or a refresh.
/// </summary>
internal interface IReadinessProbe
{
    ReadinessReport Check();
}
