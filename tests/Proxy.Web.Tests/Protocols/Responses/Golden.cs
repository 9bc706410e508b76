using System.Runtime.CompilerServices;

namespace Proxy.Web.Tests.Protocols.Responses;

/// <summary>
/// Golden files beside this source file. Set <c>UPDATE_GOLDEN=1</c> to write what the code produces
/// (then read the diff before committing it).
/// </summary>
internal static class Golden
{
    public static string Path(string name, [CallerFilePath] string source = "") =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(source)!, "golden", name);

    public static string Read(string name) => File.ReadAllText(Path(name)).ReplaceLineEndings("\n");

    public static void AssertMatches(string name, string actual)
    {
        var path = Path(name);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {name} is missing; run with UPDATE_GOLDEN=1 to write it");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }
}
