using Microsoft.Extensions.Logging;

namespace Proxy.Cluster.Tests.Support;

/// <summary>Warnings and errors of the code under test on the console, where a failed run shows them.</summary>
internal static class TestLogging
{
    public static readonly ILoggerFactory Factory = LoggerFactory.Create(builder => builder
        .SetMinimumLevel(Environment.GetEnvironmentVariable("CLUSTER_TEST_LOG") == "debug" ? LogLevel.Debug : LogLevel.Warning)
        .AddSimpleConsole(console => console.SingleLine = true));
}
