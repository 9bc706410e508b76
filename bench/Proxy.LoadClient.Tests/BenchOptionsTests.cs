namespace Proxy.LoadClient.Tests;

public sealed class BenchOptionsTests
{
    [Fact]
    public void Defaults_are_the_full_run()
    {
        var o = BenchOptions.Parse(["--repo", "/tmp"]);

        Assert.False(o.Quick);
        Assert.Equal(8000, o.Streams);
        Assert.Equal("chunks=128;delay_ms=1000", o.StreamsScenario);
        Assert.Equal([64, 256], o.ThroughputConnections);
        Assert.Equal(2000, o.LatencySamples);
        Assert.Equal([PathKind.Direct, PathKind.Nginx, PathKind.Proxy], o.Paths);
        Assert.Equal(Path.Combine("/tmp", "bench", "results"), o.ResultsDir);
    }

    [Fact]
    public void Quick_shrinks_sizes_and_explicit_values_still_win()
    {
        var o = BenchOptions.Parse(["--streams", "300", "--quick", "--paths", "direct,proxy", "--steps", "streams"]);

        Assert.True(o.Quick);
        Assert.Equal(300, o.Streams);
        Assert.Equal(5, o.StreamHoldSeconds);
        Assert.Equal(100, o.LatencySamples);
        Assert.Equal([PathKind.Direct, PathKind.Proxy], o.Paths);
        Assert.True(o.Runs("streams"));
        Assert.False(o.Runs("latency"));
    }

    [Fact]
    public void Proxy_upstream_http2_is_off_by_default_and_takes_its_port()
    {
        Assert.False(BenchOptions.Parse([]).ProxyUpstreamHttp2);

        var o = BenchOptions.Parse(["--proxy-upstream-http2", "--emulator-h2c-port", "19082"]);

        Assert.Equal((true, 19082), (o.ProxyUpstreamHttp2, o.EmulatorH2cPort));
    }

    [Fact]
    public void Proxy_dll_replaces_the_proxy_with_another_server()
    {
        Assert.Null(BenchOptions.Parse([]).ProxyDll);

        var o = BenchOptions.Parse(["--proxy-dll", "/tmp/pipe/Pipe.dll"]);

        Assert.Equal("/tmp/pipe/Pipe.dll", o.ProxyDll);
    }

    [Theory]
    [InlineData("--streams", "0", "--streams wants an integer >= 1, got '0'")]
    [InlineData("--throughput-seconds", "x", "--throughput-seconds wants a positive number of seconds, got 'x'")]
    [InlineData("--paths", "direct,haproxy", "--paths takes direct, nginx, proxy; got 'haproxy'")]
    [InlineData("--upstream", "real", "--upstream wants emulator or stub, got 'real'")]
    public void Bad_value_names_the_option(string name, string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchOptions.Parse([name, value]));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Unknown_option_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--fast"]));

        Assert.Equal("unknown option --fast", e.Message);
    }
    [Fact]
    public void Soak_is_not_a_default_step_and_runs_thirty_minutes()
    {
        var o = BenchOptions.Parse([]);

        Assert.False(o.Runs("soak"));
        Assert.Equal((30.0, 300.0, 5.0, 32, 0.08, 0.05, 0.7), (o.SoakDuration.TotalMinutes, o.SoakWarmup.TotalSeconds, o.SoakSampleEvery.TotalSeconds,
            o.SoakConcurrency, o.SoakFaultRate, o.SoakCancelRate, o.SoakStreamShare));
        Assert.Equal(["reset_mid", "reset_before", "500", "503", "429"], o.SoakFaults);
    }

    [Fact]
    public void Short_soak_warms_up_a_quarter_and_samples_more_often()
    {
        var o = BenchOptions.Parse(["--steps", "soak", "--soak-minutes", "2"]);

        Assert.True(o.Runs("soak"));
        Assert.Equal((30.0, 2.0), (o.SoakWarmup.TotalSeconds, o.SoakSampleEvery.TotalSeconds));

        var given = BenchOptions.Parse(["--soak-minutes", "2", "--soak-warmup-seconds", "10", "--soak-sample-seconds", "0.5", "--soak-faults", "reset_mid,429"]);

        Assert.Equal((10.0, 0.5), (given.SoakWarmup.TotalSeconds, given.SoakSampleEvery.TotalSeconds));
        Assert.Equal(["reset_mid", "429"], given.SoakFaults);
    }

    [Theory]
    [InlineData("--soak-fault-rate", "1.5", "--soak-fault-rate wants a share between 0 and 1, got '1.5'")]
    [InlineData("--soak-faults", "reset_mid,teapot", "--soak-faults takes reset_mid, reset_before or a 4xx/5xx status; got 'teapot'")]
    [InlineData("--soak-warmup-seconds", "120", "--soak-warmup-seconds (120 s) must be shorter than the soak (60 s)")]
    public void Bad_soak_settings_are_named(string name, string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--soak-minutes", "1", name, value]));

        Assert.Equal(message, e.Message);
    }
}
