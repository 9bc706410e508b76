namespace Proxy.Web.Configuration;

/// <summary>The console formats <c>LOG_FORMAT</c> accepts.</summary>
public enum ProxyLogFormat
{
    Text,
    Json,
}
