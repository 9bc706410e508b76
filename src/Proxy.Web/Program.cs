namespace Proxy.Web;

public static class Program
{
    public static int Main(string[] args)
    {
        var app = WebApplication.CreateSlimBuilder(args).Build();
        app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        app.Run();
        return 0;
    }
}
