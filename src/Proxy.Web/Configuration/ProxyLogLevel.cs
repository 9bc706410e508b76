namespace Proxy.Web.Configuration;

/// <summary>The levels <c>LOG_LEVEL</c> accepts.</summary>
public enum ProxyLogLevel
{
    Debug,
    Info,
    Warn,
    Error,
}
