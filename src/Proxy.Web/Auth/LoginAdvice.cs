namespace Proxy.Web.Auth;

/// <summary>
/// How a person runs the <c>login</c> command of this very process, for the messages that ask for
/// a login: <c>dotnet run --project src/Proxy.Web -- login</c> from a source checkout,
/// <c>dotnet Proxy.Web.dll login</c> beside a published build, and inside a container the
/// <c>docker compose exec</c> form, since the host has no checkout to run.
/// </summary>
internal static class LoginAdvice
{
    private const string SourceProject = "src/Proxy.Web/Proxy.Web.csproj";
    private const string Dll = "Proxy.Web.dll";

    /// <summary>The advice for this process, worked out once.</summary>
    public static string Command { get; } = Detect(
        Directory.GetCurrentDirectory(),
        AppContext.BaseDirectory,
        string.Equals(Environment.GetEnvironmentVariable("DOTNET_RUNNING_IN_CONTAINER"), "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>The advice for a process started in <paramref name="currentDirectory"/> from a build in <paramref name="baseDirectory"/>.</summary>
    public static string Detect(string currentDirectory, string baseDirectory, bool inContainer)
    {
        if (inContainer)
        {
            return $"`docker compose exec proxy1 dotnet {Dll} login` (or `docker exec CONTAINER dotnet {Dll} login`)";
        }

        // `dotnet run --project src/Proxy.Web` starts the server in the project's folder, not where
        // it was typed: both places mean a source checkout, run from its root as the README does.
        if (File.Exists(Path.Combine(currentDirectory, SourceProject))
            || File.Exists(Path.Combine(currentDirectory, Path.GetFileName(SourceProject))))
        {
            return "`dotnet run --project src/Proxy.Web -- login`";
        }

        var dll = Path.GetRelativePath(currentDirectory, Path.Combine(baseDirectory, Dll));
        return $"`dotnet {(dll.StartsWith("..", StringComparison.Ordinal) ? Path.Combine(baseDirectory, Dll) : dll)} login`";
    }
}
