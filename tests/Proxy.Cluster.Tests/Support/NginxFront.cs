using System.Text.RegularExpressions;

namespace Proxy.Cluster.Tests.Support;

/// <summary>
/// nginx as a child process in front of the proxy instances, with docker/nginx.conf's own settings
/// (least_conn, keep-alive, SSE without buffering, next-upstream rules): only the upstream servers,
/// the listen address, and the paths nginx writes to are rewritten for this machine.
/// </summary>
internal sealed partial class NginxFront : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _folder;

    private NginxFront(ChildProcess process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseUrl { get; }

    public string Output => _process.Output + "\n" + ReadErrorLog();

    public static async Task<NginxFront> StartAsync(IReadOnlyList<int> proxyPorts)
    {
        var folder = Directory.CreateTempSubdirectory("qwen-nginx-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // Workers may run as another user than the master (root in CI).
            File.SetUnixFileMode(folder, (UnixFileMode)0x1FF);
        }

        var port = FreePort.Next();
        var config = Rewrite(await File.ReadAllTextAsync(RepositoryLayout.NginxConfig), folder, port, proxyPorts);
        var configPath = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        var process = ChildProcess.Start("nginx", RepositoryLayout.NginxBinary, ["-p", folder + "/", "-e", Path.Combine(folder, "error.log"), "-c", configPath]);
        var front = new NginxFront(process, folder, port);
        await Health.WaitUntilAsync(front.BaseUrl, "/health", () => process.HasExited, () => front.Output);
        return front;
    }

    /// <summary>docker/nginx.conf, pointed at <paramref name="proxyPorts"/> and run in the foreground from <paramref name="folder"/>.</summary>
    public static string Rewrite(string config, string folder, int port, IReadOnlyList<int> proxyPorts)
    {
        var servers = ServerLine().Matches(config);
        if (servers.Count == 0 || !ListenLine().IsMatch(config) || !PidLine().IsMatch(config) || !HttpOpen().IsMatch(config))
        {
            throw new InvalidOperationException("docker/nginx.conf no longer has the upstream server, listen, pid or http lines this test rewrites.");
        }

        var options = servers[0].Groups["options"].Value;
        var upstream = string.Join("\n        ", proxyPorts.Select(p => $"server 127.0.0.1:{p}{options};"));
        var rewritten = new System.Text.StringBuilder(config);
        for (var i = servers.Count - 1; i >= 1; i--)
        {
            rewritten.Remove(servers[i].Index, servers[i].Length);
        }

        rewritten.Remove(servers[0].Index, servers[0].Length).Insert(servers[0].Index, upstream);
        config = rewritten.ToString();
        config = ListenLine().Replace(config, $"listen 127.0.0.1:{port};");
        config = PidLine().Replace(config, $"pid {folder}/nginx.pid;\ndaemon off;\nerror_log {folder}/error.log warn;");
        return HttpOpen().Replace(config, $$"""
            http {
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
            """, 1);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string ReadErrorLog()
    {
        var path = Path.Combine(_folder, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }

    [GeneratedRegex(@"server\s+proxy\d+:\d+(?<options>[^;]*);")]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"listen\s+\d+;")]
    private static partial Regex ListenLine();

    [GeneratedRegex(@"(?m)^pid\s+[^;]+;")]
    private static partial Regex PidLine();

    [GeneratedRegex(@"(?m)^http\s*\{")]
    private static partial Regex HttpOpen();
}
