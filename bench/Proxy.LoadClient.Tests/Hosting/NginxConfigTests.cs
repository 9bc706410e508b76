using Proxy.LoadClient.Hosting;

namespace Proxy.LoadClient.Tests.Hosting;

public sealed class NginxConfigTests
{
    [Fact]
    public void Config_streams_unbuffered_from_the_emulator_port()
    {
        var conf = NginxConfig.Render("/tmp/p", 18081, 18080, runAsRoot: false);

        Assert.Contains("listen 127.0.0.1:18081 reuseport backlog=4096;", conf, StringComparison.Ordinal);
        Assert.Contains("server 127.0.0.1:18080;", conf, StringComparison.Ordinal);
        Assert.Contains("proxy_buffering off;", conf, StringComparison.Ordinal);
        Assert.Contains("proxy_http_version 1.1;", conf, StringComparison.Ordinal);
        Assert.Contains("worker_rlimit_nofile 20000;", conf, StringComparison.Ordinal);
        Assert.Contains("pid /tmp/p/nginx.pid;", conf, StringComparison.Ordinal);
        Assert.DoesNotContain("user root", conf, StringComparison.Ordinal);
        Assert.StartsWith("# Written by the benchmark harness", conf, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_keeps_workers_as_root_when_started_by_root()
    {
        var conf = NginxConfig.Render("/tmp/p", 1, 2, runAsRoot: true);

        Assert.Contains("\nuser root root;\nworker_processes auto;", conf, StringComparison.Ordinal);
    }
}
