using Microsoft.Extensions.Configuration;
using Proxy.Web.Configuration;

namespace Proxy.Web.Tests.TestSupport;

/// <summary>Parses options from an in-memory environment, the way the host does.</summary>
internal static class Config
{
    public static ProxyOptions Parse(params (string Key, string Value)[] environment) =>
        ProxyOptionsParser.Parse(Load(environment));

    public static IConfigurationRoot Load(params (string Key, string Value)[] environment) =>
        ProxyConfigurationLoader.Load(
            [],
            Path.Combine(Path.GetTempPath(), "proxy-web-tests-no-appsettings.json"),
            environment.ToDictionary(e => e.Key, e => (string?)e.Value));

    public static ProxyConfigurationException Error(params (string Key, string Value)[] environment) =>
        Assert.Throws<ProxyConfigurationException>(() => Parse(environment));
}
