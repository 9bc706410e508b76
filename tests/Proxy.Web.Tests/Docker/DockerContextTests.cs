using System.Globalization;
using System.Text.RegularExpressions;

namespace Proxy.Web.Tests.Docker;

/// <summary>
/// What docker/Dockerfile and docker/compose.yaml get, checked without a Docker daemon: the build
/// context after <c>.dockerignore</c>, and nginx's body limit against the proxy's.
/// </summary>
public sealed partial class DockerContextTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void The_build_context_carries_no_host_build_output()
    {
        var ignore = new DockerIgnore(File.ReadAllText(Path.Combine(Root, ".dockerignore")));
        var sent = ContextFiles().Where(ignore.Includes).ToList();

        // This test runs from a build, so bin/ and obj/ folders exist beside the projects.
        Assert.True(Directory.Exists(Path.Combine(Root, "src", "Proxy.Web", "obj")), "src/Proxy.Web/obj should exist after a build");
        Assert.DoesNotContain(sent, p => p.Split('/').Any(segment => segment is "bin" or "obj"));
    }

    [Fact]
    public void The_build_context_keeps_everything_the_dockerfile_copies()
    {
        var ignore = new DockerIgnore(File.ReadAllText(Path.Combine(Root, ".dockerignore")));
        var dockerfile = File.ReadAllText(Path.Combine(Root, "docker", "Dockerfile"));

        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", "src/Proxy.Actors/Proxy.Actors.csproj", "src/Proxy.Web/Proxy.Web.csproj" })
        {
            Assert.Contains(file, dockerfile, StringComparison.Ordinal);
            Assert.True(ignore.Includes(file), file + " must reach the build");
        }

        Assert.Contains("COPY src/ src/", dockerfile, StringComparison.Ordinal);
        var sources = ContextFiles()
            .Where(p => p.StartsWith("src/", StringComparison.Ordinal) && p.EndsWith(".cs", StringComparison.Ordinal))
            .Where(p => !p.Split('/').Any(segment => segment is "bin" or "obj"))
            .ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, p => Assert.True(ignore.Includes(p), p + " must reach the build"));
        Assert.True(ignore.Includes("src/Proxy.Web/appsettings.json"));

        // Akka.NET's settings: the web project copies hocon/akka.conf next to its binaries, and starts without it nowhere.
        Assert.Contains("COPY hocon/ hocon/", dockerfile, StringComparison.Ordinal);
        Assert.True(ignore.Includes("hocon/akka.conf"), "hocon/akka.conf must reach the build");
    }

    [Theory]
    [InlineData("src/Proxy.Web/obj/project.assets.json", false)]
    [InlineData("src/Proxy.Web/bin/Debug/net10.0/Proxy.Web.dll", false)]
    [InlineData("tests/Proxy.Web.Tests/Docker/DockerContextTests.cs", false)]
    [InlineData("src/Proxy.Web/Program.cs", true)]
    [InlineData("src/Proxy.Web/Binding.cs", true)]
    [InlineData("docker/Dockerfile", true)]
    public void The_ignore_rules_read_as_docker_reads_them(string path, bool sent)
    {
        var ignore = new DockerIgnore(File.ReadAllText(Path.Combine(Root, ".dockerignore")));

        Assert.Equal(sent, ignore.Includes(path));
    }

    [Fact]
    public void Nginx_accepts_the_bodies_the_proxy_accepts()
    {
        var conf = File.ReadAllText(Path.Combine(Root, "docker", "nginx.conf"));
        var match = BodySize().Match(conf);
        Assert.True(match.Success, "client_max_body_size is set in docker/nginx.conf");

        var number = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var bytes = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "K" => number * 1024,
            "M" => number * 1024 * 1024,
            "G" => number * 1024 * 1024 * 1024,
            _ => number,
        };

        Assert.Equal(Config.Parse().MaxRequestBodyBytes, bytes);
    }

    private static IEnumerable<string> ContextFiles() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/'))
            .Where(p => !p.StartsWith(".git/", StringComparison.Ordinal) && p != ".git");

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

    [GeneratedRegex(@"^\s*client_max_body_size\s+(\d+)([kKmMgG]?)\s*;", RegexOptions.Multiline)]
    private static partial Regex BodySize();
}
