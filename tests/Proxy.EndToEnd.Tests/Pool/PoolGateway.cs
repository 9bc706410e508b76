using System.Text;
using Microsoft.AspNetCore.Builder;
using Proxy.Web;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Pool;

/// <summary>
/// A real proxy in front of several emulators, one per account of an accounts file (mode 0600).
/// Each emulator accepts only its own account's key.
/// </summary>
internal sealed class PoolGateway : IAsyncDisposable
{
    private readonly string _folder;
    private readonly StringWriter _log;
    private readonly TextWriter _logWriter;

    private PoolGateway(IReadOnlyList<EmulatorHost> emulators, WebApplication proxy, string folder, StringWriter log, TextWriter logWriter)
    {
        Emulators = emulators;
        Proxy = proxy;
        _folder = folder;
        _log = log;
        _logWriter = logWriter;
        Client = new HttpClient { BaseAddress = new Uri(proxy.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
    }

    public IReadOnlyList<EmulatorHost> Emulators { get; }

    public WebApplication Proxy { get; }

    public HttpClient Client { get; }

    public string LogText
    {
        get
        {
            lock (_logWriter)
            {
                return _log.ToString();
            }
        }
    }

    public string AccountsFile => Path.Combine(_folder, "accounts.json");

    /// <summary>Replaces the accounts file as an editor or a deployment does: a new file (owner-only) renamed over it.</summary>
    public async Task RewriteAccountsAsync(Func<string, string> edit)
    {
        var next = Path.Combine(_folder, "accounts.json.new");
        await File.WriteAllTextAsync(next, edit(await File.ReadAllTextAsync(AccountsFile)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(next, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(next, AccountsFile, overwrite: true);
    }

    /// <summary>Chat requests each emulator received, in account order.</summary>
    public int[] Counts => Emulators.Select(e => e.State.ChatRequestCount).ToArray();

    public static string KeyOf(int account) => $"sk-pool-e2e-{account:D4}";

    /// <param name="accounts">One emulator per entry: its name and run-wide fault (null: healthy).</param>
    /// <param name="file">The accounts file's top-level fields besides "accounts" (e.g. "\"strategy\":\"fill-first\",").</param>
    /// <param name="wrongKey">Accounts whose file entry carries a key their emulator rejects.</param>
    /// <param name="fields">More fields of an account's entry, each starting with a comma (given its index and its emulator's base URL).</param>
    /// <param name="moreAccounts">Entries without an emulator, placed first in the file.</param>
    public static async Task<PoolGateway> StartAsync(
        (string Name, string? Fault)[] accounts,
        string file = "",
        IDictionary<string, string?>? environment = null,
        int[]? wrongKey = null,
        string? scenario = "chunks=3",
        Func<int, Uri, string>? fields = null,
        string? moreAccounts = null)
    {
        var emulators = new List<EmulatorHost>();
        var entries = new List<string>();
        for (var i = 0; i < accounts.Length; i++)
        {
            var options = new EmulatorOptions { Seed = 7, DefaultScenario = scenario, FaultKind = accounts[i].Fault };
            options.ApiKeys.Add(KeyOf(i));
            var host = await EmulatorHost.StartAsync(options);
            emulators.Add(host);
            var key = wrongKey?.Contains(i) == true ? "sk-revoked-" + i : KeyOf(i);
            entries.Add($$"""{"name":"{{accounts[i].Name}}","base_url":"{{new Uri(host.BaseUrl, "/v1")}}","api_key":"{{key}}"{{fields?.Invoke(i, host.BaseUrl)}}}""");
        }

        var folder = Path.Combine(Path.GetTempPath(), "proxy-pool-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "accounts.json");
        if (moreAccounts is not null)
        {
            entries.Insert(0, moreAccounts);
        }

        await File.WriteAllTextAsync(path, "{" + file + "\"accounts\":[" + string.Join(",", entries) + "]}");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var env = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["SERVER_HOST"] = "127.0.0.1",
            ["SERVER_PORT"] = "0",
            ["RATE_LIMIT_RPS"] = "0",
            ["LOG_LEVEL"] = "info",
            ["QWEN_DIR"] = Path.Combine(folder, ".qwen"),
            ["ACCOUNTS_FILE"] = path,
            ["ACCOUNT_COOLDOWN"] = "1h",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        var log = new StringWriter();
        var logWriter = TextWriter.Synchronized(log);
        var app = ProxyHost.Build([], null, new ProxyHostOverrides
        {
            Environment = env,
            AppSettingsPath = Path.Combine(Path.GetTempPath(), "proxy-e2e-no-appsettings.json"),
            LogOutput = logWriter,
        });
        await app.StartAsync();
        return new PoolGateway(emulators, app, folder, log, logWriter);
    }

    public static HttpRequestMessage Chat(bool stream, string extraFields = "", string content = "hi", string model = "qwen3-coder-plus")
    {
        var body = $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{content}}"}]{{extraFields}}}""";
        return new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.StopAsync();
        await Proxy.DisposeAsync();
        foreach (var emulator in Emulators)
        {
            await emulator.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
