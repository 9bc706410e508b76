using Proxy.Web.Configuration;

namespace Proxy.Web.Tests.Configuration;

public sealed class ConfigurationSourcesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("proxy-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    private static ProxyOptions Parse(string[] args, string appSettings, Dictionary<string, string?> environment) =>
        ProxyOptionsParser.Parse(ProxyConfigurationLoader.Load(args, appSettings, environment));

    [Fact]
    public void Appsettings_then_config_file_then_environment_then_command_line()
    {
        var appSettings = Write("appsettings.json", """{"SERVER_PORT": 1001, "DEFAULT_MODEL": "from-appsettings", "LOG_LEVEL": "error", "STREAMING_MAX_ERRORS": 3}""");
        var file = Write("proxy.json", """{"SERVER_PORT": 1002, "DEFAULT_MODEL": "from-file", "LOG_LEVEL": "warn"}""");
        var env = new Dictionary<string, string?> { ["SERVER_PORT"] = "1003", ["DEFAULT_MODEL"] = "from-env" };

        var o = Parse(["--config", file, "--SERVER_PORT", "1004"], appSettings, env);

        Assert.Equal(1004, o.Port);
        Assert.Equal("from-env", o.DefaultModel);
        Assert.Equal(ProxyLogLevel.Warn, o.LogLevel);
        Assert.Equal(3, o.StreamingMaxErrors);
    }

    [Fact]
    public void An_alias_in_a_stronger_source_beats_the_main_name_in_a_weaker_one()
    {
        var appSettings = Write("appsettings.json", """{"SERVER_PORT": 1001}""");

        var o = Parse([], appSettings, new Dictionary<string, string?> { ["PORT"] = "1003" });

        Assert.Equal(1003, o.Port);
    }

    [Fact]
    public void Command_line_accepts_lowercase_aliases_and_equals_form()
    {
        var o = Parse(["--port=1234", "--config=" + Write("c.json", "{}")], Path.Combine(_dir, "none.json"), []);

        Assert.Equal(1234, o.Port);
    }

    [Fact]
    public void Json_arrays_and_objects_are_read_as_lists()
    {
        var file = Write("proxy.json", """
            {"PROXY_API_KEYS": ["key-one-111", "key-two-222"],
             "MODEL_ALIASES": {"gpt-4o": "qwen3-coder-plus"},
             "TRUSTED_PROXIES": ["10.1.0.0/16"]}
            """);

        var o = Parse(["--config", file], Path.Combine(_dir, "none.json"), []);

        Assert.Equal(["key-one-111", "key-two-222"], o.ProxyApiKeys);
        Assert.Equal("qwen3-coder-plus", o.ModelAliases["gpt-4o"]);
        Assert.Single(o.TrustedProxies);
    }

    [Fact]
    public void A_missing_config_file_is_named()
    {
        var error = Assert.Throws<ProxyConfigurationException>(() => Parse(["--config", "/nonexistent/proxy.json"], Path.Combine(_dir, "none.json"), []));

        Assert.Equal("Invalid configuration: --config points to '/nonexistent/proxy.json', which does not exist.", error.Message);
    }

    [Fact]
    public void A_config_file_that_is_not_json_is_one_line()
    {
        var file = Write("bad.json", "{ not json");

        var error = Assert.Throws<ProxyConfigurationException>(() => Parse(["--config", file], Path.Combine(_dir, "none.json"), []));

        Assert.Equal("--config", error.Variable);
        Assert.StartsWith("Invalid configuration: --config could not be read: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_dangling_config_argument_is_refused()
    {
        var error = Assert.Throws<ProxyConfigurationException>(() => Parse(["--config"], Path.Combine(_dir, "none.json"), []));

        Assert.Equal("Invalid configuration: --config needs a file name, e.g. --config proxy.json.", error.Message);
    }
}
