namespace Qwen.Emulator;

public static class Program
{
    public static void Main(string[] args)
    {
        var app = WebApplication.CreateSlimBuilder(args).Build();
        app.Run();
    }
}
