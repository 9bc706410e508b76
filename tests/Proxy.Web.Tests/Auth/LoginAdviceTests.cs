using Proxy.Web.Auth;

namespace Proxy.Web.Tests.Auth;

public sealed class LoginAdviceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "login-advice-" + Guid.NewGuid().ToString("N"));

    public LoginAdviceTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void From_a_source_checkout_it_is_dotnet_run()
    {
        Directory.CreateDirectory(Path.Combine(_root, "src", "Proxy.Web"));
        File.WriteAllText(Path.Combine(_root, "src", "Proxy.Web", "Proxy.Web.csproj"), "<Project />");

        Assert.Equal("`dotnet run --project src/Proxy.Web -- login`", LoginAdvice.Detect(_root, Path.Combine(_root, "src/Proxy.Web/bin/Debug/net10.0/"), inContainer: false));
    }

    [Fact]
    public void Under_dotnet_run_which_starts_in_the_project_folder_it_is_still_dotnet_run_from_the_root()
    {
        var project = Path.Combine(_root, "src", "Proxy.Web");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "Proxy.Web.csproj"), "<Project />");

        Assert.Equal("`dotnet run --project src/Proxy.Web -- login`", LoginAdvice.Detect(project, Path.Combine(project, "bin/Debug/net10.0/"), inContainer: false));
    }

    [Fact]
    public void Beside_a_published_build_it_is_the_dll()
    {
        Assert.Equal("`dotnet Proxy.Web.dll login`", LoginAdvice.Detect(_root, _root + "/", inContainer: false));
    }

    [Fact]
    public void Elsewhere_it_names_the_dll_by_its_full_path()
    {
        var build = Path.Combine(Path.GetTempPath(), "elsewhere", "app") + "/";

        Assert.Equal($"`dotnet {build}Proxy.Web.dll login`", LoginAdvice.Detect(_root, build, inContainer: false));
    }

    [Fact]
    public void In_a_container_it_is_the_docker_exec_form()
    {
        Assert.Equal(
            "`docker compose exec proxy1 dotnet Proxy.Web.dll login` (or `docker exec CONTAINER dotnet Proxy.Web.dll login`)",
            LoginAdvice.Detect("/app", "/app/", inContainer: true));
    }
}
