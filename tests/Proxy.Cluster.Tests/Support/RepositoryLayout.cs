namespace Proxy.Cluster.Tests.Support;

/// <summary>Where the repository and the built programs are, found from the test's own folder.</summary>
internal static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, whichever this test was built as.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The proxy, built by this project's reference to it.</summary>
    public static string ProxyDll => Existing(Path.Combine(Root, "src", "Proxy.Web", "bin", Configuration, "net10.0", "Proxy.Web.dll"));

    public static string NginxConfig => Existing(Path.Combine(Root, "docker", "nginx.conf"));

    /// <summary><c>NGINX_BIN</c> (set by .ci/cluster), else the usual place.</summary>
    public static string NginxBinary =>
        Environment.GetEnvironmentVariable("NGINX_BIN") is { Length: > 0 } configured ? configured : Existing("/usr/sbin/nginx");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Proxy.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Proxy.sln above {AppContext.BaseDirectory}.");
    }

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing (is it built / installed?).", path);
}
