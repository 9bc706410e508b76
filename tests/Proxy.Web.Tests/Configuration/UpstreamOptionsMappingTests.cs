using System.Net;
using Proxy.Web.Configuration;
using Proxy.Web.Gateway;

namespace Proxy.Web.Tests.Configuration;

/// <summary>The connection settings the upstream handler is built with follow the configuration.</summary>
public sealed class UpstreamOptionsMappingTests
{
    [Theory]
    [InlineData(UpstreamHttpVersion.Auto, "2.0", HttpVersionPolicy.RequestVersionOrLower)]
    [InlineData(UpstreamHttpVersion.Http11, "1.1", HttpVersionPolicy.RequestVersionExact)]
    [InlineData(UpstreamHttpVersion.Http2, "2.0", HttpVersionPolicy.RequestVersionExact)]
    public void UPSTREAM_HTTP_VERSION_chooses_the_version_and_whether_lower_is_accepted(UpstreamHttpVersion setting, string version, HttpVersionPolicy policy)
    {
        var upstream = GatewayServices.UpstreamOptionsFrom(new ProxyOptions { UpstreamHttpVersion = setting });

        Assert.Equal((Version.Parse(version), policy), (upstream.HttpVersion, upstream.VersionPolicy));
    }

    [Fact]
    public void MAX_CONNS_PER_HOST_and_the_idle_timeout_size_the_pool()
    {
        using var limited = GatewayServices.UpstreamOptionsFrom(new ProxyOptions { MaxConnsPerHost = 64, IdleConnTimeout = TimeSpan.FromSeconds(13) }).CreateHandler();
        using var unlimited = GatewayServices.UpstreamOptionsFrom(new ProxyOptions()).CreateHandler();

        Assert.Equal((64, TimeSpan.FromSeconds(13)), (limited.MaxConnectionsPerServer, limited.PooledConnectionIdleTimeout));
        Assert.Equal(int.MaxValue, unlimited.MaxConnectionsPerServer);
    }

    [Fact]
    public void STREAMING_BUFFER_SIZE_and_STUTTER_MAX_HOLD_bound_the_stutter_repair()
    {
        var set = GatewayServices.StreamOptionsFrom(new ProxyOptions { StreamingBufferSize = 512, StutterMaxHold = TimeSpan.FromMilliseconds(250) });
        var defaults = GatewayServices.StreamOptionsFrom(new ProxyOptions());

        Assert.Equal((512, TimeSpan.FromMilliseconds(250)), (set.BufferSize, set.MaxHoldTime));
        Assert.Equal((4096, TimeSpan.FromSeconds(2)), (defaults.BufferSize, defaults.MaxHoldTime));
    }

    [Theory]
    [InlineData("no", false)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("yes", true)]
    public void STUTTER_REPAIR_reaches_the_streams(string value, bool repaired)
    {
        var stream = GatewayServices.StreamOptionsFrom(Config.Parse(("STUTTER_REPAIR", value)));

        Assert.Equal(repaired, stream.RepairEnabled);
    }

    [Fact]
    public void STREAM_KEEPALIVE_SECONDS_reaches_the_streams_and_zero_turns_it_off()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), GatewayServices.StreamOptionsFrom(Config.Parse(("STREAM_KEEPALIVE_SECONDS", "7"))).KeepAliveInterval);
        Assert.Equal(TimeSpan.Zero, GatewayServices.StreamOptionsFrom(Config.Parse(("STREAM_KEEPALIVE_SECONDS", "0"))).KeepAliveInterval);
        Assert.Equal((true, TimeSpan.FromSeconds(15)), (GatewayServices.StreamOptionsFrom(new ProxyOptions()).RepairEnabled, GatewayServices.StreamOptionsFrom(new ProxyOptions()).KeepAliveInterval));
    }
}
