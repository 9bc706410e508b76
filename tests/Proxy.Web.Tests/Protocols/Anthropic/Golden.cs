using System.Runtime.CompilerServices;

namespace Proxy.Web.Tests.Protocols.Anthropic;

/// <summary>
/// The golden files beside this source file. With <c>UPDATE_GOLDEN=1</c> a test writes what it
/// produced instead of comparing (review the diff before committing it).
/// </summary>
internal static class Golden
{
    public static string Read(string name) => File.ReadAllText(PathOf(name));

    public static byte[] ReadBytes(string name) => File.ReadAllBytes(PathOf(name));

    public static void AssertMatches(string name, string actual)
    {
        var path = PathOf(name);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"missing golden file {name}");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string PathOf(string name, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "golden", name);
}
