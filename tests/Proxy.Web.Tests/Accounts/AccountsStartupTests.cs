using Proxy.Web.Accounts;

namespace Proxy.Web.Tests.Accounts;

public sealed class AccountsStartupTests
{
    [Fact]
    public async Task A_shared_accounts_file_stops_start_up_with_exit_2_and_one_line()
    {
        using var file = new AccountsFile(
            """{"accounts":[{"name":"a","base_url":"http://127.0.0.1:9/v1","api_key":"sk-secret-in-file-1234"}]}""",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var error = new StringWriter();

        var exit = await Program.RunAsync(["--accounts", file.Path], error, CancellationToken.None, new ProxyHostOverrides
        {
            Environment = new Dictionary<string, string?>(),
            AppSettingsPath = Path.Combine(Path.GetTempPath(), "proxy-web-tests-no-appsettings.json"),
        });

        Assert.Equal(Program.ConfigurationErrorExitCode, exit);
        Assert.Equal(
            $"Invalid configuration: ACCOUNTS_FILE '{file.Path}' may be read or changed by others than its owner (mode 0644); it holds keys: run chmod 600 '{file.Path}'.{Environment.NewLine}",
            error.ToString());
    }

    [Theory]
    [InlineData("""{"model":"fast","stream":true}""", """{"model":"qwen3-coder-flash","stream":true}""")]
    [InlineData("""{ "messages":[{"model":"inner"}],  "model" : "fast" ,"x":1}""", """{ "messages":[{"model":"inner"}],  "model" : "qwen3-coder-flash" ,"x":1}""")]
    [InlineData("""{"stream":false}""", """{"stream":false}""")]
    public void The_model_is_renamed_and_every_other_byte_kept(string body, string expected)
    {
        var rewritten = ModelRewriter.Rewrite(Encoding.UTF8.GetBytes(body), "qwen3-coder-flash");

        Assert.Equal(expected, Encoding.UTF8.GetString(rewritten.Span));
    }
}
