using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Proxy.Web.Configuration;

namespace Proxy.Web.Tests.Configuration;

/// <summary><see cref="ProxyOptions"/> through the Options pattern: bound under the documented names, validated at start.</summary>
public sealed class OptionsPatternTests
{
    private sealed class RefuseEverything : IValidateOptions<ProxyOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProxyOptions options) =>
            ValidateOptionsResult.Fail("Invalid configuration: STUTTER_MAX_HOLD is refused by this test.");
    }

    [Fact]
    public async Task The_host_gets_its_options_bound_from_the_documented_variables()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?>
        {
            ["STUTTER_REPAIR"] = "no",
            ["STREAM_KEEPALIVE_SECONDS"] = "7",
            ["PORT"] = "0",
        });

        var options = proxy.Services.GetRequiredService<IOptions<ProxyOptions>>().Value;

        Assert.Same(options, proxy.Services.GetRequiredService<ProxyOptions>());
        Assert.Equal((false, TimeSpan.FromSeconds(7)), (options.StutterRepair, options.StreamKeepAlive));
    }

    [Fact]
    public void A_validator_that_fails_stops_the_host_before_it_listens()
    {
        var error = Assert.Throws<OptionsValidationException>(() => ProxyHost.Build(
            [],
            services => services.AddSingleton<IValidateOptions<ProxyOptions>, RefuseEverything>(),
            new ProxyHostOverrides { Environment = TestProxy.BaseEnvironment(), AppSettingsPath = "/nonexistent/appsettings.json", LogOutput = TextWriter.Null }));

        Assert.Equal(["Invalid configuration: STUTTER_MAX_HOLD is refused by this test."], error.Failures);
    }

    [Fact]
    public void The_validator_names_the_variable_of_the_rule_broken()
    {
        var result = new ProxyOptionsValidator().Validate(null, new ProxyOptions { UpstreamApiKey = "sk-secret-value" });

        Assert.True(result.Failed);
        Assert.Equal(["Invalid configuration: UPSTREAM_BASE_URL must be set when UPSTREAM_API_KEY is set."], result.Failures);
    }
}
