namespace Proxy.Web.Health;

/// <summary>Whether an upstream credential is usable now, and why (never a secret).</summary>
internal sealed record ReadinessReport(bool IsReady, string Detail);
